// The real cloud-init judges our user data: `cloud-init schema --config-file`. Older cloud-init
// (Debian's 22.4) accepts unknown top-level keys, and a misspelt module key is exactly the user data
// that "silently does nothing"; so unknown keys are checked too, against cloud-init's own schema.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { isRecord } from "./builtin-objects";

export interface SchemaResult {
  ok: boolean;
  /** What cloud-init printed, errors and deprecations included. */
  output: string;
  deprecations: string[];
}

/** `cloud-init schema --config-file` over the user data; ok when it exits 0 with no deprecation. */
export function cloudInitSchema(userData: string): SchemaResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "calico-ipam-cloud-init-"));
  try {
    const file = path.join(dir, "user-data");
    fs.writeFileSync(file, userData);
    const run = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    if (run.error) throw run.error;
    const output = `${run.stdout}${run.stderr}`.replaceAll(file, "user-data").trim();
    // "Cloud config schema deprecations: a, b" (empty after the colon when there are none).
    const listed = /deprecations:([^\n]*)/.exec(output)?.[1].trim() ?? "";
    const deprecations = listed === "" ? [] : listed.split(/,\s*/);
    return { ok: run.status === 0 && deprecations.length === 0, output, deprecations };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The Python that runs cloud-init (its shebang), which can import cloud-init's own schema. */
function cloudInitPython(): string {
  const which = spawnSync("sh", ["-c", "command -v cloud-init"], { encoding: "utf8" });
  const shebang = fs.readFileSync(which.stdout.trim(), "utf8").split("\n", 1)[0];
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
  if (!match) throw new Error(`cloud-init at ${which.stdout.trim()} has no shebang to find its Python`);
  return match[1].endsWith("/env") && match[2] ? match[2] : match[1];
}

/** Every top-level key some cloud-init module reads, from the installed cloud-init's schema. */
export function knownTopLevelKeys(): Set<string> {
  const code = "import json; from cloudinit.config.schema import get_schema; print(json.dumps(get_schema()))";
  const run = spawnSync(cloudInitPython(), ["-c", code], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`could not read cloud-init's schema: ${run.stderr || run.error}`);
  const schema = JSON.parse(run.stdout) as { properties?: object; allOf?: { $ref?: string }[]; $defs?: Record<string, { properties?: object }> };
  const keys = new Set(Object.keys(schema.properties ?? {}));
  // The top-level schema is an allOf of one $defs entry per module (base_config, cc_runcmd, ...).
  for (const part of schema.allOf ?? []) {
    const def = part.$ref?.replace("#/$defs/", "");
    for (const key of Object.keys((def && schema.$defs?.[def]?.properties) ?? {})) keys.add(key);
  }
  return keys;
}

/** Problems cloud-init would not report but that make user data do nothing. */
export function silentProblems(userData: string, known: Set<string>): string[] {
  if (!userData.startsWith("#cloud-config\n")) return ["line 1: not `#cloud-config`: cloud-init would not read this as cloud-config at all"];
  const config: unknown = parse(userData);
  if (!isRecord(config)) return ["the user data is not a YAML mapping"];
  return Object.keys(config)
    .filter((key) => !known.has(key))
    .map((key) => `${key}: no cloud-init module reads this key (misspelt?), so it would be ignored`);
}

/**
 * What the installed cloud-init makes of raw user data (as EC2 hands it over, after base64): its own
 * UserDataProcessor, which unpacks gzip and splits MIME, gives the parts with their content types.
 */
export function cloudInitParts(raw: Buffer): { type: string; text: string }[] {
  const code = [
    "import json, sys, tempfile",
    "from cloudinit import helpers, user_data",
    "d = tempfile.mkdtemp()",
    "msg = user_data.UserDataProcessor(helpers.Paths({'cloud_dir': d, 'run_dir': d})).process(sys.stdin.buffer.read())",
    "parts = [p for p in msg.walk() if p.get_content_maintype() != 'multipart']",
    "print(json.dumps([{'type': p.get_content_type(), 'text': p.get_payload(decode=True).decode()} for p in parts]))",
  ].join("\n");
  const run = spawnSync(cloudInitPython(), ["-c", code], { input: raw, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`cloud-init could not process the user data: ${run.stderr || run.error}`);
  return JSON.parse(run.stdout) as { type: string; text: string }[];
}
