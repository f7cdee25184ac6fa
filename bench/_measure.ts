/**
 * Wall time, user+sys CPU time and peak RSS of a command, measured with /usr/bin/time.
 *
 * @module
 */

/** Wall time, CPU time and peak memory of one command. */
export interface Measure {
  /** Wall-clock seconds. */
  seconds: number;
  /** User + system CPU seconds of the command and its children. */
  cpu: number;
  maxRssMb: number;
}

/** Runs a command under /usr/bin/time for times and peak RSS; its output is discarded. */
export async function measure(cmd: string[]): Promise<Measure> {
  const timeFile = await Deno.makeTempFile();
  try {
    const shell = `${cmd.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ")} >/dev/null 2>&1`;
    const start = performance.now();
    await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%e %M %U %S", "-o", timeFile, "/bin/sh", "-c", shell],
      stdout: "null",
      stderr: "null",
    }).output();
    const seconds = (performance.now() - start) / 1000;
    const [, rss, user, sys] = (await Deno.readTextFile(timeFile)).trim().split("\n").pop()!
      .split(" ");
    return { seconds, cpu: Number(user) + Number(sys), maxRssMb: Number(rss) / 1024 };
  } finally {
    await Deno.remove(timeFile);
  }
}
