/**
 * Syscall-specific a0..a3: the names libauparse 3.0.9 prints for flags,
 * options, commands and levels, checked against `ausearch -i` and by unit.
 */

import { strictEqual as assertEquals } from "node:assert/strict";
import { runSearch } from "../cli/search.ts";
import {
  printCloneFlags,
  printIoctlRequest,
  printMmapFlags,
  printPersonality,
  printProt,
  printShmFlags,
  syscallArg,
} from "../lib/interpret/syscall_args.ts";
import { printSeccompCode, printTtyData } from "../lib/interpret/interpret_extra.ts";
import { oracleTest, run } from "./_helpers.ts";

/** x86_64 syscall number and a0..a3 (hex, as the kernel logs them). */
const CALLS: [number, string, string, string, string][] = [
  [56, "1200011", "0", "0", "0"], // clone: libauparse leaves a0 in hex
  [272, "20000", "0", "0", "0"], // unshare
  [272, "40000011", "0", "0", "0"],
  [227, "0", "0", "0", "0"], // clock_settime
  [227, "63", "0", "0", "0"],
  [135, "0", "0", "0", "0"], // personality
  [135, "40008", "0", "0", "0"],
  [135, "ffffffff", "0", "0", "0"],
  [101, "10", "1", "0", "0"], // ptrace
  [101, "4206", "1", "0", "0"],
  [101, "999", "1", "0", "0"],
  [157, "f", "1", "0", "0"], // prctl
  [157, "26", "1", "0", "0"],
  [157, "18", "15", "0", "0"],
  [157, "1", "9", "0", "0"],
  [157, "99", "1", "0", "0"],
  [97, "7", "0", "0", "0"], // getrlimit
  [160, "63", "0", "0", "0"], // setrlimit
  [72, "3", "2", "1", "0"], // fcntl
  [72, "3", "406", "0", "0"],
  [72, "3", "8", "3e8", "0"],
  [72, "3", "63", "0", "0"],
  [72, "3", "4", "800", "0"],
  [54, "3", "1", "2", "0"], // setsockopt
  [54, "3", "6", "1", "0"],
  [54, "3", "0", "1", "0"],
  [54, "3", "29", "1a", "0"],
  [54, "3", "3e7", "1", "0"],
  [54, "3", "1", "3e7", "0"],
  [55, "3", "11", "1", "0"], // getsockopt
  [308, "3", "40000000", "0", "0"], // setns
  [144, "1", "2", "0", "0"], // sched_setscheduler
  [144, "1", "9", "0", "0"],
  [233, "3", "1", "4", "0"], // epoll_ctl
  [233, "3", "7", "4", "0"],
  [166, "7ffd", "2", "0", "0"], // umount2
  [166, "7ffd", "0", "0", "0"],
  [166, "7ffd", "80000003", "0", "0"],
  [9, "0", "1000", "3", "22"], // mmap
  [9, "0", "1000", "0", "2"],
  [9, "0", "1000", "7", "812"],
  [9, "0", "1000", "f", "100000"],
  [10, "7f00", "1000", "1", "0"], // mprotect
  [10, "7f00", "1000", "0", "0"],
  [10, "7f00", "1000", "9", "0"],
  [8, "3", "0", "1", "0"], // lseek
  [8, "3", "0", "9", "0"],
  [62, "fa0", "9", "0", "0"], // kill
  [234, "1", "2", "f", "0"], // tgkill
  [16, "1", "5401", "0", "0"], // ioctl
  [16, "1", "c0045878", "0", "0"],
  [41, "2", "80801", "6", "0"], // socket
  [264, "ffffff9c", "0", "ffffff9c", "0"], // renameat
  [165, "0", "0", "0", "1000"], // mount
  [165, "0", "0", "0", "c0ed0000"],
  [165, "0", "0", "0", "5020"],
  [29, "0", "1000", "3b6", "0"], // shmget
  [29, "0", "1000", "200", "0"],
  [54, "3", "107", "1", "0"], // setsockopt SOL_PACKET
  [54, "3", "107", "63", "0"],
];

const LOG = CALLS.map(([nr, a0, a1, a2, a3], i) =>
  `type=SYSCALL msg=audit(17000${10000 + i}.000:${i + 1}): arch=c000003e syscall=${nr} ` +
  `success=yes exit=0 a0=${a0} a1=${a1} a2=${a2} a3=${a3} items=0 ppid=1 pid=1 auid=0 uid=0 ` +
  `gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="x" exe="/x" key=(null)\n`
).join("");

oracleTest("ausearch -i and auditkit print the same syscall arguments", ["ausearch"], async () => {
  const dir = await Deno.makeTempDir({ prefix: "auditkit-args-" });
  try {
    const log = `${dir}/audit.log`;
    await Deno.writeTextFile(log, LOG);
    for (const args of [["-i"], ["--format", "csv"], ["--format", "text"]]) {
      const all = ["-if", log, ...args];
      let out = "";
      await runSearch(all, (s) => {
        out += s;
      }, () => {});
      assertEquals(out, (await run("ausearch", all)).stdout, args.join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const ctx = (syscall: number, a0 = 0n, a1 = 0n) => ({ machine: 1, syscall, a0, a1 });

Deno.test("flags are listed in value order, joined by |, hex when none is known", () => {
  assertEquals(printCloneFlags("1200011"), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  assertEquals(printCloneFlags("0"), "0x0");
  assertEquals(printMmapFlags("22"), "MAP_PRIVATE|MAP_ANONYMOUS");
  assertEquals(printMmapFlags("0"), "MAP_FILE");
  assertEquals(printProt("0", true), "PROT_NONE");
  assertEquals(printProt("f", false), "PROT_READ|PROT_WRITE|PROT_EXEC");
  assertEquals(printProt("f", true), "PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM");
});

Deno.test("enumerations name known values and say unknown-...(value) otherwise", () => {
  assertEquals(syscallArg(0, "26", ctx(157)), "PR_SET_NO_NEW_PRIVS");
  assertEquals(syscallArg(0, "99", ctx(157)), "unknown-prctl-option(0x99)");
  assertEquals(syscallArg(1, "406", ctx(72)), "F_DUPFD_CLOEXEC");
  assertEquals(syscallArg(1, "63", ctx(72)), "unknown-fcntl-command(99)");
  assertEquals(syscallArg(2, "1", ctx(72, 3n, 2n)), "FD_CLOEXEC");
  assertEquals(syscallArg(1, "6", ctx(54)), "tcp");
  assertEquals(syscallArg(2, "2", ctx(54, 3n, 1n)), "SO_REUSEADDR");
  assertEquals(syscallArg(2, "3e7", ctx(54, 3n, 1n)), "unknown-sockopt-name(0x3e7)");
  assertEquals(printPersonality("40008"), "PER_LINUX32|~ADDR_NO_RANDOMIZE");
  assertEquals(printIoctlRequest("5413"), "TIOCGWINSZ");
  assertEquals(printShmFlags("3b6"), "IPC_CREAT|0666");
  assertEquals(syscallArg(3, "5020", ctx(165)), "MS_REMOUNT|MS_BIND|MS_REC");
  assertEquals(syscallArg(2, "ffffff9c", ctx(264)), "AT_FDCWD");
  assertEquals(printIoctlRequest("c0045878"), "0xc0045878");
  // libauparse leaves clone's a0 and every argument of an unknown syscall in hex
  assertEquals(syscallArg(0, "1200011", ctx(56)), "0x1200011");
  assertEquals(syscallArg(0, "3", ctx(-1)), "0x3");
  // clone's a2 (on x86_64 a pointer) is printed as clone flags, as libauparse does
  assertEquals(syscallArg(2, "11", ctx(56)), "SIGCHLD");
});

Deno.test("bad argument values read as C's strtoul reads them: no digits are 0, overflow is an error", () => {
  assertEquals(syscallArg(0, "zz", ctx(157)), "unknown-prctl-option(0xzz)");
  assertEquals(printMmapFlags("zz"), "MAP_FILE");
  assertEquals(syscallArg(2, "zz", ctx(8)), "SEEK_SET");
  assertEquals(syscallArg(0, "1ffffffffffffffff", ctx(157)), "conversion error(1ffffffffffffffff)");
  assertEquals(printMmapFlags("1ffffffffffffffff"), "conversion error(1ffffffffffffffff)");
});

Deno.test("keystrokes: printable runs quoted, keys named, other bytes in octal", () => {
  assertEquals(printTtyData("6C730D"), '"ls",<ret>');
  assertEquals(printTtyData("1B5B41E97F225C41"), '<up>,"\\351",<backspace>,"\\"\\\\A"');
  assertEquals(printTtyData("not-hex"), "not-hex");
});

Deno.test("seccomp codes name the action of the masked code", () => {
  assertEquals(printSeccompCode("0x7ffc0000"), "log");
  assertEquals(printSeccompCode("0x50001"), "errno");
  assertEquals(printSeccompCode("0x80000000"), "kill");
  assertEquals(printSeccompCode("0x12340000"), "unknown-seccomp-code(0x12340000)");
});
