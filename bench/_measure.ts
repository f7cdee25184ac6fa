/**
 * Wall time and peak RSS of a command, measured with /usr/bin/time.
 *
 * @module
 */

/** Wall time and peak memory of one command. */
export interface Measure {
  seconds: number;
  maxRssMb: number;
}

/** Runs a command under /usr/bin/time for wall time and peak RSS; its output is discarded. */
export async function measure(cmd: string[]): Promise<Measure> {
  const timeFile = await Deno.makeTempFile();
  const shell = `${cmd.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ")} >/dev/null 2>&1`;
  const start = performance.now();
  await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M", "-o", timeFile, "/bin/sh", "-c", shell],
    stdout: "null",
    stderr: "null",
  }).output();
  const seconds = (performance.now() - start) / 1000;
  const [, rss] = (await Deno.readTextFile(timeFile)).trim().split("\n").pop()!.split(" ");
  await Deno.remove(timeFile);
  return { seconds, maxRssMb: Number(rss) / 1024 };
}
