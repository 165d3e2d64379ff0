// Stack config values Calico would refuse later, refused now (issue 19 item 10); what a user types, read as meant.
import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseLabConfig } from "../../lib/config";
import { selectorProblem } from "../../lib/config/selector";

function problems(raw: Record<string, string>): string[] {
  try {
    parseLabConfig({ allowedCidrs: "203.0.113.7/32", ...raw });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

describe("Calico selector grammar (libcalico-go/lib/selector, v3.30.7)", () => {
  for (const ok of [
    "all()", "all( )", "global()", "has(kubernetes.io/os)", "!has(a)", "kubernetes.io/os == 'linux'", 'zone != "a"',
    "role in {'a', 'b'}", "role not in {}", "role not  in {'x',}", "a contains 'x' && b starts with 'y' || c ends with 'z'",
    "!(a == 'x' || has(b))", "!!all()", "",
  ]) {
    it(`accepts ${JSON.stringify(ok)}`, () => assert.equal(selectorProblem(ok), undefined));
  }
  for (const [bad, says] of [
    ["{}", /unexpected \{/],
    ["kubernetes.io/os: linux", /expected an operator .* after "kubernetes\.io\/os"/],
    ["a == linux", /== must be followed by a quoted string/],
    ["a == 'x", /a string is not closed/],
    ["(a == 'x'", /a parenthesis is not closed/],
    ["a in ('x')", /in must be followed by a set/],
    ["a == 'x' b == 'y'", /unexpected label after a complete expression/],
    ["all(x)", /all\(x\) is not one of has\(label\), all\(\), global\(\)/],
    ["has()", /has\(\) is not one of/],
    ["a & b", /expected &&/],
    ["a == 'x' &&", /the selector ends where an expression should follow/],
  ] as const) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.match(selectorProblem(bad) ?? "", says));
  }

  it("stops preview on nodeSelector values Calico rejects, naming the key and the fix", () => {
    for (const value of ["{}", "kubernetes.io/os: linux"]) {
      const [problem] = problems({ nodeSelector: value });
      assert.match(problem, /^calico-ipam:nodeSelector is .*not a Calico selector \(.*\); such as "kubernetes\.io\/os == 'linux'" or "all\(\)"$/);
    }
  });
});

describe("hints from fixed lists", () => {
  it("never offers a prototype's property as a hint: \"constructor\" gets the list, not \"did you mean undefined?\"", () => {
    for (const key of ["target", "encapsulation", "natOutgoing", "ipamProbe"]) {
      const [problem] = problems({ [key]: "constructor" });
      assert.match(problem, /expected one of /);
      assert.doesNotMatch(problem, /did you mean/);
    }
  });
});

describe("kubeconfigPath", () => {
  it("expands ~/ to the home directory, as the shell the user typed it in would", () => {
    const config = parseLabConfig({ target: "existing", kubeconfigPath: "~/.kube/config" });
    assert.equal(config.kubeconfigPath, path.join(os.homedir(), ".kube", "config"));
  });
});
