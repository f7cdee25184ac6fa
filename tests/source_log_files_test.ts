/**
 * The log-source stage's choice of files (lib/source/file.ts): a given directory stands for its
 * rotated set and comes with ausearch's note, returned as data; the commands print the note as
 * ausearch and aureport do.
 */

import { deepStrictEqual } from "node:assert/strict";
import { logFiles, selectLogFiles } from "../events.ts";
import { oracleTest, ROOT, tempDir } from "./_helpers.ts";
import { assertSameAs } from "./_log_parity.ts";

const SAMPLE = `${ROOT}tests/data/log_samples.log`;

Deno.test("selectLogFiles: a note for each given directory, in order; files as logFiles picks them", async () => {
  await using tmp = await tempDir();
  const dir = tmp.join("logs");
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/audit.log`, "");
  await Deno.writeTextFile(`${dir}/audit.log.1`, "");
  const given = [dir, SAMPLE, `${dir}/`, "-", tmp.join("missing"), `${dir}//`];
  const { files, notes } = selectLogFiles(given);
  deepStrictEqual(notes, [
    { directory: dir, log: `${dir}/audit.log` },
    { directory: `${dir}/`, log: `${dir}/audit.log` },
    { directory: `${dir}//`, log: `${dir}//audit.log` },
  ]);
  const set = [`${dir}/audit.log.1`, `${dir}/audit.log`];
  deepStrictEqual(files, [...set, SAMPLE, ...set, "-", tmp.join("missing"), ...set]);
  deepStrictEqual(logFiles(given), files);
  // files and standard input have no note; nor has the default set
  deepStrictEqual(selectLogFiles([SAMPLE, "-"]).notes, []);
  const byDefault = selectLogFiles([], `${dir}/audit.log`);
  deepStrictEqual(byDefault, { files: set, notes: [] });
});

oracleTest(
  "-if DIR: ausearch's and aureport's note on standard error, byte for byte",
  ["ausearch", "aureport"],
  async () => {
    await using tmp = await tempDir();
    const dir = tmp.join("logs");
    await Deno.mkdir(dir);
    await Deno.copyFile(SAMPLE, `${dir}/audit.log`);
    const env = { TZ: "UTC" };
    const tz = Deno.env.get("TZ");
    Deno.env.set("TZ", "UTC");
    try {
      for (const input of [dir, `${dir}/`, `${dir}//`]) {
        await assertSameAs("ausearch", ["-if", input, "-m", "USER_LOGIN"], { env });
        await assertSameAs("ausearch", ["-if", input, "-k", "no-such-key"], { env });
        await assertSameAs("aureport", ["-if", input, "-x", "--summary"], { env });
        await assertSameAs("aureport", ["-if", input, "--tty"], { env });
      }
    } finally {
      if (tz === undefined) Deno.env.delete("TZ");
      else Deno.env.set("TZ", tz);
    }
  },
);
