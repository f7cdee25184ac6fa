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
  /** The command's exit status. */
  code: number;
}

/**
 * Runs a command under /usr/bin/time for times and peak RSS; its standard
 * output goes to `stdout` (discarded by default), its standard error is
 * discarded.
 */
export async function measure(cmd: string[], stdout = "/dev/null"): Promise<Measure> {
  const timeFile = await Deno.makeTempFile();
  const q = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  try {
    const shell = `${cmd.map(q).join(" ")} >${q(stdout)} 2>/dev/null`;
    const start = performance.now();
    await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%e %M %U %S %x", "-o", timeFile, "/bin/sh", "-c", shell],
      stdout: "null",
      stderr: "null",
    }).output();
    const seconds = (performance.now() - start) / 1000;
    const [, rss, user, sys, code] = (await Deno.readTextFile(timeFile)).trim().split("\n").pop()!
      .split(" ");
    return {
      seconds,
      cpu: Number(user) + Number(sys),
      maxRssMb: Number(rss) / 1024,
      code: Number(code),
    };
  } finally {
    await Deno.remove(timeFile);
  }
}
