// The README's `config set` lines as the Pulumi CLI stores them (test/support/pulumi-config-set.ts):
// the model first agrees with cases of pulumi's own tests (sdk/go/common/resource/config/map_test.go,
// TestSetSuccess and TestSetFail), then every recipe leaves a config the lab accepts.
import * as assert from "node:assert/strict";
import { parseLabConfig, type RawConfig } from "../../lib/config";
import { configSet, type CliConfig } from "../support/pulumi-config-set";
import { readmeRecipes, recipeSteps } from "../support/readme-recipes";

const text = (values: RawConfig): CliConfig => ({ values, objects: new Set() });
const object = (values: RawConfig): CliConfig => ({ values, objects: new Set(Object.keys(values)) });
const stored = (config: CliConfig, key: string): unknown => (config.objects.has(key) ? JSON.parse(config.values[key]!) : config.values[key]);

describe("`pulumi config set` as the CLI stores it", () => {
  it("agrees with pulumi's own Map.Set cases", () => {
    assert.deepEqual(stored(configSet(text({ outer: "value" }), "outer.inner", "value", true), "outer"), { inner: "value" });
    assert.deepEqual(stored(configSet(text({ array: "value" }), "array[0]", "value", true), "array"), ["value"]);
    assert.deepEqual(stored(configSet(object({ name: '["a","b","c"]' }), "name[3]", "value", true), "name"), ["a", "b", "c", "value"]);
    assert.deepEqual(stored(configSet(object({ servers: '[{"name":"foo"}]' }), "servers[0].host", "example", true), "servers"), [{ name: "foo", host: "example" }]);
    assert.deepEqual(stored(configSet(text({}), "name[0][0]", "value", true), "name"), [["value"]]);
    for (const [value, becomes] of [["10", 10], ["-1", -1], ["true", true], ["0123456", "0123456"], ["00", "00"]] as const) {
      assert.deepEqual(stored(configSet(text({}), "outer.inner", value, true), "outer"), { inner: becomes }, value);
    }
    assert.throws(() => configSet(object({ name: '["a","b","c"]' }), "name[4]", "value", true), /^Error: name\[4\]: array index out of range$/);
    assert.throws(() => configSet(object({ outer: '{"inner":"value"}' }), "outer.inner.nested", "value", true), /^Error: outer\.inner: expected a map$/);
    assert.throws(() => configSet(object({ outer: "[1,2,3]" }), "outer.inner", "value", true), /^Error: outer\.inner: key for an array must be an int$/);
  });

  it("keeps a value set without --path as text, and a --path set on it replaces all of it", () => {
    // What recipes 3 and 5 once told users to type: the workload lost every field but the one set.
    const workloads = '[{"name": "fill", "node": "calico-ipam-worker", "replicas": 36}]';
    const set = configSet(text({}), "workloads", workloads, false);
    assert.equal(stored(set, "workloads"), workloads);
    const rolled = configSet(set, "workloads[0].rollout", "2", true);
    assert.equal(rolled.values.workloads, '[{"rollout":2}]');
    assert.throws(() => configSet(rolled, "workloads[2].pools[0]", "main-v2", true), /workloads\[2\]: array index out of range/);
  });
});

describe("the README's config lines", () => {
  it("leave, after every block of every recipe, a config the lab accepts", () => {
    const recipes = readmeRecipes();
    assert.ok(recipes.length >= 6);
    // Recipes 4 and 5 build on the one before; the others start from the default lab.
    let previous: RawConfig = {};
    for (const recipe of recipes) {
      const base = /^[45]\./.test(recipe.title) ? previous : {};
      const steps = recipeSteps(recipe, base);
      for (const [i, raw] of steps.entries()) {
        assert.doesNotThrow(() => parseLabConfig({ allowedCidrs: "127.0.0.1/32", ...raw }), `${recipe.title}, block ${i + 1}`);
      }
      previous = steps[steps.length - 1];
    }
  });

  it("let recipe 3 start anywhere, as the README says: after recipe 5 too", () => {
    const recipes = readmeRecipes();
    let previous: RawConfig = {};
    for (const recipe of recipes.filter((r) => /^[45]\./.test(r.title))) previous = recipeSteps(recipe, previous).at(-1)!;
    const third = recipes.find((r) => r.title.startsWith("3."))!;
    for (const [i, raw] of recipeSteps(third, previous).entries()) {
      assert.doesNotThrow(() => parseLabConfig({ allowedCidrs: "127.0.0.1/32", ...raw }), `${third.title} after recipe 5, block ${i + 1}`);
    }
  });
});
