/**
 * Parity with ausearch and aureport: the same arguments on the same log
 * give byte-identical output. Logs are a hand-written sample (no kernel
 * needed) and logs written by the real auditd under a small syscall load.
 */

import fc from "npm:fast-check@4.10.2";
import { generateAuditdLog } from "../bench/auditd_log.ts";
import { kernelTest, oracleTest, ROOT } from "./_helpers.ts";
import { assertSameAs } from "./_log_parity.ts";
import { damagedLog } from "./_log_mutations.ts";
import { MSG_TYPES } from "../lib/event/_tables.ts";

const SAMPLE = `${ROOT}tests/data/log_samples.log`;

const SEARCHES: string[][] = [
  [],
  ["-i"],
  ["--raw"],
  ["--format", "raw"],
  ["--format", "interpret"],
  ["-k", "exec", "-i"],
  ["-m", "AVC"],
  ["-m", "LOGIN"],
  ["-m", "SYSCALL,USER_LOGIN", "-i"],
  ["-ul", "1000"],
  ["-ua", "0"],
  ["-hn", "192.0.2"],
  ["-tm", "pts"],
  ["-x", "su"],
  ["-f", "/tmp"],
  ["-f", "passwd"],
  ["-n", "web1", "-i"],
  ["-k", "net"],
  ["-k", "out"],
  ["-w", "-k", "ne"],
  ["-sc", "open"],
  ["-sc", "5"],
  ["--arch", "b32"],
  ["-e", "3"],
  ["-e", "-EACCES"],
  ["-sv", "no"],
  ["-sv", "yes", "-i"],
  ["-c", "daemon", "-sv", "yes"],
  ["--session", "9"],
  ["-p", "5000"],
  ["-pp", "1"],
  ["-ts", "11/14/23", "22:13:30"],
  ["-te", "11/14/23", "22:13:30"],
  ["-a", "4714"],
  ["-c", "httpd"],
  ["-ga", "48"],
  ["-ge", "1000"],
  ["-gi", "0"],
  ["-ui", "0"],
  ["-ue", "48"],
  ["--just-one"],
  ["-k", "nothing-has-this-key"],
];

const REPORTS: string[][] = [
  [],
  ["--summary"],
  ["-x"],
  ["-x", "--summary"],
  ["-k"],
  ["-k", "--summary"],
  ["-e"],
  ["-e", "--summary"],
  ["-f"],
  ["-f", "--summary"],
  ["-s", "-i"],
  ["-s", "--summary"],
  ["-u"],
  ["-u", "--summary", "-i"],
  ["-p"],
  ["-p", "--summary"],
  ["-c"],
  ["-tm"],
  ["-h"],
  ["-h", "--summary"],
  ["--comm"],
  ["--comm", "--summary"],
  ["--failed"],
  ["--success"],
  ["--failed", "-c"],
  ["--success", "-i", "-f"],
  ["--failed", "-x", "--summary"],
  ["--success", "-e", "--summary"],
  ["--success", "-au", "--summary"],
  ["-t"],
  ["-au"],
  ["-au", "--summary"],
  ["-l"],
  ["-l", "-i"],
  ["-l", "--summary"],
  ["-a"],
  ["-a", "--summary"],
  ["-i", "-x"],
  ["-i", "-k"],
  ["-e", "--summary", "-i"],
  ["-c", "--summary", "-i"],
  ["-m"],
  ["-m", "--summary", "-i"],
  ["-n"],
  ["-r"],
  ["-cr"],
  ["-cr", "--summary"],
  ["-ma"],
  ["--integrity"],
  ["--virt", "--summary"],
  ["--tty"],
];

/**
 * Runs each search and report on `log` with auditkit and the reference tool: same output,
 * same status. With `exact`, auditkit groups events as ausearch does (`--exact-grouping`).
 */
async function compare(
  log: string,
  searches: string[][],
  reports: string[][],
  exact = false,
): Promise<void> {
  const ours = (args: string[]) => ({ ours: exact ? [...args, "--exact-grouping"] : args });
  for (const args of searches) {
    await assertSameAs("ausearch", ["-if", log, ...args], ours(["-if", log, ...args]));
  }
  for (const args of reports) {
    await assertSameAs("aureport", ["-if", log, ...args], ours(["-if", log, ...args]));
  }
}

/** {@link compare} on a log of these lines (each ended by a newline), written to a scratch file. */
async function compareOnLines(
  lines: string[],
  searches: string[][],
  reports: string[][],
  exact = false,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/audit.log`;
    await Deno.writeTextFile(log, lines.map((l) => l + "\n").join(""));
    await compare(log, searches, reports, exact);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

oracleTest(
  "search and report equal ausearch and aureport on the hand-written sample log",
  ["ausearch", "aureport"],
  () => compare(SAMPLE, SEARCHES, REPORTS),
);

/** `compare` on `log`, and on a copy without its ENRICHED parts (as a RAW-format auditd writes it). */
async function compareBothFormats(
  log: string,
  searches: string[][],
  reports: string[][],
): Promise<void> {
  await compare(log, searches, reports);
  const dir = await Deno.makeTempDir({ prefix: "auditkit-raw-" });
  try {
    const raw = `${dir}/audit.log`;
    const text = await Deno.readTextFile(log);
    const lines = text.split("\n").map((l) =>
      l.includes("\x1d") ? l.slice(0, l.indexOf("\x1d")) : l
    );
    await Deno.writeTextFile(raw, lines.join("\n"));
    await compare(raw, searches, reports);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Records as Debian and Ubuntu hosts write them: ENRICHED, sshd logins that fail and succeed,
 * sudo, systemd services, nftables, AppArmor AVCs (which ausearch never shows: they have no
 * tclass=), a USER_AVC whose terminal= ends the text, SECCOMP, TTY, anomalies, module loads.
 */
const REALISTIC = `${ROOT}tests/data/log_realistic.log`;

const REALISTIC_SEARCHES: string[][] = [
  ["--raw"],
  ["-i"],
  [],
  ["--format", "csv"],
  ["--format", "text"],
  ["--format", "csv", "--extra-keys", "--extra-labels", "--extra-obj2", "--extra-time"],
  ...["shell", "tty", "raw", "shell_quote"].map((e) => ["-i", "--escape", e]),
  ["-m", "AVC"],
  ["-m", "AVC,USER_AVC", "-i"],
  ["-m", "USER_LOGIN", "-sv", "no"],
  ["-m", "USER_LOGIN", "-sv", "yes", "-i"],
  ...["shadow", "exec", "null", "(null)"].map((k) => ["-k", k]),
  ...["1000", "0", "4294967295"].flatMap((u) => [["-ua", u], ["-ui", u], ["-ue", u], ["-ul", u]]),
  ["-ul", "-1"],
  // names are compared as names: auditd's in ENRICHED logs, the local database's otherwise
  ...["-ui", "-ua", "-ue", "-ul"].map((o) => [o, "root"]),
  ["-ui", "root", "-ul", "1000"],
  ["-ua", "daemon"],
  // ausearch's "not asked" values: nothing is read, and everything matches
  ["-ul", "4294967294"],
  ["-ua", "4294967294"],
  ["--session", "-1"],
  ["-sc", "0"],
  ["-sc", "read"],
  ...["0", "1000", "42"].flatMap((g) => [["-gi", g], ["-ga", g], ["-ge", g]]),
  ...["910", "1", "820", "1700", "1200", "9"].map((p) => ["-p", p]),
  ["-pp", "1700"],
  ...["openat", "bpf", "59", "pkey_alloc", "write"].map((c) => ["-sc", c]),
  ...["/usr/sbin/sshd", "sshd", "/usr/bin/sudo"].map((x) => ["-x", x]),
  ...["cupsd", "iptables", "bash", "man"].map((c) => ["-c", c]),
  ...["/etc/shadow", "shadow", "/home/alice", "/usr/bin/man"].map((f) => ["-f", f]),
  ...["203.0.113.5", "198.51.100.7", "192.168.0.1", "?"].map((h) => ["-hn", h]),
  ...["pts1", "ssh", "/dev/pts/1", "(none)", "sshd"].map((t) => ["-tm", t]),
  ["-sv", "no"],
  ["-sv", "yes"],
  ...["-13", "EACCES", "0", "-111"].map((e) => ["-e", e]),
  ["--session", "7"],
  ["--session", "4294967295"],
  ["-su", "unconfined"],
  ["-su", "system_u:system_r:init_t:s0"],
  ["-o", "system_u:system_r:init_t:s0"],
  ["-se", "unconfined"],
  ["-m", "SECCOMP", "-i"],
  ["-m", "ANOM_ABEND,ANOM_PROMISCUOUS"],
  ["-m", "NETFILTER_CFG", "-i"],
  ["-m", "TTY,USER_TTY", "-i"],
  ["-m", "KERN_MODULE,MAC_STATUS,CONFIG_CHANGE"],
  ["-m", "DAEMON_START,DAEMON_END,DAEMON_ROTATE"],
  ["-a", "81"],
  ["-a", "40"],
  ["-a", "8190"],
  ["-ts", "11/14/23", "22:13:30", "-te", "11/14/23", "22:13:40"],
  ["-ts", "11/14/23", "22:13:30", "-te", "11/14/23", "22:13:40", "-i"],
  ["-m", "USER_CMD", "-i"],
  ["--arch", "x86_64"],
  ["--arch", "b64", "-sc", "connect"],
  ["-k", "exec", "--format", "text"],
  ["--just-one"],
];

const REALISTIC_REPORTS: string[][] = [
  // the summary, and every listing: plain, interpreted, as a summary, both
  ...[
    [],
    ..."-au -l -a -x -k -e -f -s -u -p -c -tm -h --comm -m -n -r -cr -ma".split(" ").map((
      r,
    ) => [r]),
  ]
    .flatMap((r) => [r, [...r, "-i"], [...r, "--summary"], [...r, "--summary", "-i"]]),
  ["-t"],
  ["--integrity"],
  ["--virt"],
  ["--tty"],
  ["--tty", "-i"],
  ["--failed"],
  ["--success"],
  ["--failed", "-i"],
  ["-x", "--failed"],
  ["-x", "--success", "--summary"],
  ["-au", "--failed"],
  ["-l", "--failed", "--summary"],
  ["-k", "--summary", "--escape", "raw"],
  ["-x", "--escape", "shell"],
  ["-x", "--summary", "--escape", "shell_quote"],
  ["--comm", "--escape", "tty"],
  ["--node", "web2"],
  ["--node", "web2", "--node", "web3", "-x"],
  ["-nc"],
  ["-nc", "-c"],
  ["--add", "-m"],
  ["--delete", "-c", "--summary"],
  ["-ts", "11/14/23", "22:13:30", "-te", "11/14/23", "22:13:40"],
  ["-ts", "11/14/23", "22:13:30", "-te", "11/14/23", "22:13:40", "-x", "--summary"],
];

oracleTest(
  "search and report equal ausearch and aureport on a log of everyday Debian records, ENRICHED and RAW",
  ["ausearch", "aureport"],
  () => compareBothFormats(REALISTIC, REALISTIC_SEARCHES, REALISTIC_REPORTS),
);

/**
 * Less frequent records: boots and runlevels, rule changes, user and group management, SSH
 * crypto, login-failure anomalies and responses, ANOM_LINK, hex exe/cwd/paths and keys split on
 * 0x01, 32-bit socketcall, AF_INET6 and AF_UNIX sockaddrs, ptrace targets, MMAP, CAPSET,
 * OPENAT2, MAC policy loads, integrity, virtual machines, node= records, NETFILTER_PKT,
 * EVENT_LISTENER, USER_TTY, software updates, devices, time changes, FANOTIFY.
 */
const REALISTIC2 = `${ROOT}tests/data/log_realistic2.log`;

const REALISTIC2_SEARCHES: string[][] = [
  ["--raw"],
  ["-i"],
  [],
  ["--format", "csv"],
  ["--format", "text"],
  ["--format", "csv", "--extra-keys", "--extra-labels", "--extra-obj2", "--extra-time"],
  ["-i", "--escape", "shell"],
  ["-n", "web2"],
  ["-n", "web2", "-i"],
  ...["192.0.2.10", "203.0.113.9", "198.51.100.20", "::1", "host1"].map((h) => ["-hn", h]),
  ["-vm", "web1"],
  ["-uu", "11112222-3333-4444-5555-666677778888"],
  ...[
    "/home/alice/my prog",
    "/home/alice/my dir/./lib/x.so",
    "x.so",
    "/run/dbus/system_bus_socket",
    "/home/alice/../secret",
    "/etc/shadow",
    "/usr/bin/evil",
    "/var/lib/libvirt/images/web1.qcow2",
  ].map((f) => ["-f", f]),
  ["-x", "/home/alice/my prog"],
  ["-x", "my"],
  ...["exec", "write", "passwd", "net"].map((k) => ["-k", k]),
  ["-k", "net", "-i"],
  ["-c", "my prog"],
  ["-p", "2400"],
  ["-p", "2306"],
  ["-o", "unconfined"],
  ["-su", "unconfined"],
  ["-sc", "102"],
  ["--arch", "b32"],
  ["--arch", "i386", "-i"],
  ["-e", "-1"],
  ["-e", "EPERM"],
  ["-ui", "1000"],
  ["-ua", "1001"],
  ["-ua", "root"],
  ["-ul", "root"],
  ["-gi", "1005"],
  ["-ga", "0"],
  ["-tm", "pts/0"],
  ["-tm", "pts0"],
  ["--session", "2"],
  ["-sv", "no"],
  ["-sv", "yes"],
  ...[
    "ANOM_LINK",
    "USER_MGMT,GRP_MGMT,DEL_USER",
    "CRYPTO_SESSION,CRYPTO_KEY_USER",
    "VIRT_CONTROL,VIRT_RESOURCE,VIRT_MACHINE_ID",
    "MAC_POLICY_LOAD,USER_MAC_POLICY_LOAD",
    "INTEGRITY_RULE,INTEGRITY_DATA",
    "SOFTWARE_UPDATE,USER_DEVICE,TIME_ADJNTPVAL",
    "FANOTIFY",
    "CAPSET,MMAP,OPENAT2,OBJ_PID",
    "SYSTEM_BOOT,SYSTEM_SHUTDOWN,SYSTEM_RUNLEVEL",
    "EVENT_LISTENER,NETFILTER_PKT",
    "USER_TTY",
    "CONFIG_CHANGE,FEATURE_CHANGE",
    "DAEMON_ACCEPT,DAEMON_CLOSE",
  ].map((m) => ["-m", m, "-i"]),
];

oracleTest(
  "search and report equal ausearch and aureport on a log of less frequent records, ENRICHED and RAW",
  ["ausearch", "aureport"],
  () => compareBothFormats(REALISTIC2, REALISTIC2_SEARCHES, REALISTIC_REPORTS),
);

/**
 * One event per syscall number 0..451, for x86_64 and i386: the normaliser's syscall classes
 * (csv/text action and object), names with -i, and the syscall and file reports. Records are in
 * an order auditd does not use (a CWD before the SOCKADDR) to exercise libauparse's fixed record
 * numbers.
 */
function syscallSweep(arch: string): string {
  const lines: string[] = [];
  for (let sc = 0; sc <= 451; sc++) {
    const n = sc + 1;
    const ts = `${1700200000 + n}.000:${n}`;
    const items = sc % 3 === 0 ? 2 : 1;
    const root = sc % 4 === 0 ? 0 : 1000;
    lines.push(
      `type=SYSCALL msg=audit(${ts}): arch=${arch} syscall=${sc} success=${
        sc % 2 ? "yes" : "no"
      } ` +
        `exit=${sc % 2 ? "0" : "-13"} a0=3 a1=7ffd1000 a2=${sc % 5} a3=0 items=${items} ppid=100 ` +
        `pid=${
          1000 + sc
        } auid=1000 uid=${root} gid=1000 euid=${root} suid=1000 fsuid=1000 egid=1000 ` +
        `sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="prog${sc}" exe="/usr/bin/prog${sc}" ` +
        `subj=unconfined key="k${sc % 7}"`,
      `type=CWD msg=audit(${ts}): cwd="/home/u"`,
    );
    for (let item = 0; item < items; item++) {
      lines.push(
        `type=PATH msg=audit(${ts}): item=${item} name="/srv/f${sc}${item ? ".new" : ""}" ` +
          `inode=${sc + item} dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=${
            item ? "CREATE" : sc % 3 === 0 ? "PARENT" : "NORMAL"
          } cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
      );
    }
    if (sc % 11 === 2) {
      lines.push(`type=SOCKADDR msg=audit(${ts}): saddr=02000050C00002010000000000000000`);
    }
    lines.push(`type=PROCTITLE msg=audit(${ts}): proctitle=70726F67`);
  }
  return lines.join("\n") + "\n";
}

oracleTest(
  "every syscall of x86_64 and i386 normalises, interprets and reports as ausearch and aureport",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-sweep-" });
    try {
      for (const arch of ["c000003e", "40000003"]) {
        const log = `${dir}/audit.log`;
        await Deno.writeTextFile(log, syscallSweep(arch));
        await compare(
          log,
          [["--format", "csv"], ["--format", "text"], ["-i"], ["--format", "csv", "--extra-obj2"]],
          [["-s"], ["-s", "-i"], ["-f", "-i"], ["-s", "--summary", "-i"], ["-k", "--summary"]],
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** One event of every record type libaudit names, each with the fields its kind of record has. */
function typeSweep(): string {
  const lines: string[] = [];
  MSG_TYPES.forEach(([num, name], i) => {
    const n = i + 1;
    const ts = `${1700300000 + n}.000:${n}`;
    const user = num === 1005 || (num >= 1100 && num < 1200) || (num >= 2100 && num < 3000);
    lines.push(
      user
        ? `type=${name} msg=audit(${ts}): pid=${100 + n} uid=0 auid=1000 ses=2 subj=unconfined ` +
          `msg='op=x acct="alice" exe="/usr/bin/x" hostname=host1 addr=192.0.2.5 terminal=pts/1 ` +
          `res=${n % 2 ? "success" : "failed"}'`
        : `type=${name} msg=audit(${ts}): pid=${100 + n} uid=0 auid=1000 ses=2 subj=unconfined ` +
          `op=x res=${n % 2}`,
    );
  });
  return lines.join("\n") + "\n";
}

oracleTest(
  "every record type searches, normalises and reports as ausearch and aureport",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-types-" });
    try {
      const log = `${dir}/audit.log`;
      // ENRICHED as auditd writes it; compareBothFormats also runs the RAW copy
      const enriched = typeSweep().split("\n").map((l) =>
        l && `${l}\x1dAUID="bob" UID="root" SYSCALL=read`
      );
      await Deno.writeTextFile(log, enriched.join("\n"));
      await compareBothFormats(
        log,
        [["--raw"], ["-i"], ["--format", "csv"], ["--format", "text"], ["-sv", "no"], [
          "-ua",
          "1000",
        ]],
        REALISTIC_REPORTS,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

const CONTEXTS = `${ROOT}tests/data/log_contexts.log`;

/** Security contexts and virtual machines: -se/-su/-o (alone and combined), -uu, -vm, -w. */
const CONTEXT_SEARCHES: string[][] = [
  ...[
    "system_u:system_r:init_t:s0",
    "system_u:object_r:etc_t:s0",
    "system_u",
    "init_t",
    "unconfined_t",
    "shadow_t",
    "cc_u",
    "gg_u",
    "ll_u",
    "mm_u",
    "oo_u",
    "vv_u",
    "xx_u",
    "yy_u",
  ].flatMap((c) => [["-se", c], ["-su", c], ["-o", c]]),
  ["-su", "cc_u", "-o", "gg_u"],
  ["-o", "gg_u", "-su", "cc_u"],
  ["-o", "dd_u", "-su", "ff_u"],
  ["-se", "cc_u", "-su", "ff_u"],
  ["-su", "ff_u", "-se", "cc_u"],
  ["-se", "tt_u", "-o", "nothing"],
  ["-su", "ss_u", "-w"],
  ["-su", "ss_u:r:c_t:s0", "-w"],
  ["-se", "system_u", "-i"],
  ["-uu", "9a8e7d6c-1111-2222-3333-444455556666"],
  ["-uu", "00000000"],
  ["-uu", "00000000", "-w"],
  ["-vm", "guest1"],
  ["-vm", "guest"],
  ["-vm", "guest", "-w"],
  ["-vm", "guest2", "-su", "virtd"],
];

oracleTest(
  "security context and virtual machine searches equal ausearch's",
  ["ausearch"],
  () => compare(CONTEXTS, CONTEXT_SEARCHES, []),
);

for (const format of ["RAW", "ENRICHED"] as const) {
  kernelTest(
    `search and report equal ausearch and aureport on a ${format} log written by auditd`,
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "auditkit-log-" });
      try {
        const { path, key } = await generateAuditdLog({
          dir,
          format,
          script: "cat /etc/hostname; ls /nonexistent-auditkit; mkdir /tmp/akx$$; " +
            "rmdir /tmp/akx$$; id; auditctl -m 'auditkit parity message' || true",
        });
        const searches = [
          ...SEARCHES.filter((a) => !a.includes("-n")),
          ["-k", key],
          ["-k", key, "-i"],
          ["-k", key, "--raw"],
          ["-m", "USER", "-i"],
          ["-m", "CONFIG_CHANGE", "-i"],
          ["-x", "/usr/bin/ls", "-sv", "no"],
          ["-f", "/etc/hostname", "-i"],
          ["-sc", "execve", "-i"],
          ["-sc", "openat", "-sv", "no"],
          ["-e", "-ENOENT"],
        ];
        await compare(path, searches, REPORTS);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
    { oracles: ["ausearch", "aureport", "auditd", "auditctl"] },
  );
}

/** Well-formed bodies (ausearch skips events whose records its parsers reject). */
const BODIES: Record<string, string> = {
  SYSCALL: "arch=c000003e syscall=2 success=yes exit=3 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 " +
    "pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 " +
    'comm="x" exe="/x" key=(null)',
  PROCTITLE: "proctitle=78",
  CWD: 'cwd="/"',
  PATH: 'item=0 name="/a" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
  EOE: "",
  MMAP: "fd=3 flags=0x2",
  EXECVE: 'argc=1 a0="ls"',
  USER_CMD: 'pid=4 uid=0 auid=0 ses=1 msg=\'cwd="/" cmd=6C73 exe="/usr/bin/sudo" ' +
    "terminal=pts/0 res=success'",
  LOGIN: "pid=1 uid=0 subj=unconfined old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 " +
    "ses=1 res=1",
  AVC: 'avc:  denied  { read } for  pid=2 comm="x" name="g" dev="sda1" ino=5 ' +
    "scontext=u:r:a_t:s0 tcontext=u:object_r:b_t:s0 tclass=file permissive=0",
};

oracleTest(
  "--exact-grouping groups and orders interleaved records exactly as ausearch and aureport",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-grouping-" });
    const log = `${dir}/audit.log`;
    // records of few stamps, out of order, some with nodes: events interleave, split and
    // merge. As in real logs, a stamp carries either a syscall's records (odd serials, one
    // process) or a user-space or LOGIN record (even serials).
    const SYSCALL_FAMILY = ["SYSCALL", "PROCTITLE", "CWD", "PATH", "EOE", "MMAP", "EXECVE", "AVC"];
    const record = fc.record({
      pick: fc.nat(),
      sec: fc.integer({ min: 0, max: 6 }),
      milli: fc.constantFrom(0, 100),
      serial: fc.integer({ min: 1, max: 6 }),
      node: fc.constantFrom("", "", "", "n1", "n2"),
    }).map(({ pick, sec, milli, serial, node }) => {
      const family = serial % 2 ? SYSCALL_FAMILY : ["USER_CMD", "LOGIN"];
      return { type: family[pick % family.length], sec, milli, serial, node };
    }).map(({ type, sec, milli, serial, node }) =>
      `${node ? `node=${node} ` : ""}type=${type} msg=audit(${1700000000 + sec}.` +
      `${String(milli).padStart(3, "0")}:${serial}): ${BODIES[type]}`
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 20 }), async (lines) => {
          await Deno.writeTextFile(log, lines.join("\n") + "\n");
          const cases: ["ausearch" | "aureport", string[]][] = [
            ...[[], ["--raw"]].map((a): ["ausearch", string[]] => ["ausearch", a]),
            ...[[], ["-e"], ["-x"], ["-f"], ["--failed"]].map((a): ["aureport", string[]] => [
              "aureport",
              a,
            ]),
          ];
          for (const [tool, args] of cases) {
            await assertSameAs(tool, ["-if", log, ...args], {
              ours: ["-if", log, "--exact-grouping", ...args],
            });
          }
        }),
        { numRuns: 120 },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * auditd writes an event's records when the syscall ends, so an exec event can land in the log
 * after user messages stamped later (the bench's login corpus has many). ausearch keeps an event
 * whose first record is a SYSCALL in its array until a new event starts eoe_timeout seconds later:
 * the later-stamped user messages wait behind it, and the late exec event still goes before them.
 */
const LATE_EXEC_LOG: string[] = (() => {
  const at = (ms: string, serial: number) => `msg=audit(1796568267.${ms}:${serial}):`;
  const exec = (stamp: string, pid: number, arg: string) => [
    `type=SYSCALL ${stamp} arch=c000003e syscall=59 success=yes exit=0 a0=55 a1=56 a2=57 a3=8 ` +
    `items=1 ppid=1 pid=${pid} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 ` +
    `fsgid=0 tty=pts3 ses=4 comm="true" exe="/usr/bin/true" key="exec"`,
    `type=EXECVE ${stamp} argc=2 a0="/bin/true" a1="${arg}"`,
    `type=CWD ${stamp} cwd="/root"`,
    `type=PATH ${stamp} item=0 name="/bin/true" inode=7 dev=fe:00 mode=0100755 ouid=0 ogid=0 ` +
    `rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
  ];
  const user = (type: string, stamp: string, op: string) =>
    `type=${type} ${stamp} pid=300 uid=0 auid=1000 ses=4 msg='op=${op} grantors=pam_unix ` +
    `acct="alice" exe="/usr/sbin/sshd" hostname=h1 addr=192.0.2.1 terminal=ssh res=success'`;
  const title = (stamp: string) => `type=PROCTITLE ${stamp} proctitle=2F62696E2F74727565`;
  return [
    ...exec(at("529", 100), 200, "a"),
    title(at("529", 100)),
    user("USER_AUTH", at("537", 102), "PAM:authentication"),
    user("USER_START", at("537", 103), "PAM:session_open"),
    // the exec event stamped .533, written after the .537 messages; a message inside it
    ...exec(at("533", 101), 201, "b"),
    user("USER_END", at("537", 104), "PAM:session_close"),
    title(at("533", 101)),
    // 3 s later: the first two exec events time out in ausearch and go, then this message;
    // the exec event stamped before it but written after it stays after it
    user("USER_LOGIN", "msg=audit(1796568270.100:105):", "login"),
    ...exec("msg=audit(1796568270.090:106):", 202, "c"),
    title("msg=audit(1796568270.090:106):"),
    user("USER_END", "msg=audit(1796568270.110:107):", "PAM:session_close"),
  ];
})();

oracleTest(
  "an exec event written after later-stamped user messages goes out in ausearch's and aureport's order",
  ["ausearch", "aureport"],
  async () => {
    const searches = [[], ["-i"], ["--raw"], ["--format", "csv"], ["--format", "text"], [
      "-ua",
      "1000",
    ]];
    const reports = [
      [],
      ["-e"],
      ["-e", "-i"],
      ["-x"],
      ["-au"],
      ["-l"],
      ["-u"],
      ["-p"],
      ["-s"],
      [
        "-tm",
      ],
      ["-k"],
      ["-t"],
      ["--summary"],
    ];
    await compareOnLines(LATE_EXEC_LOG, searches, reports);
    await compareOnLines(LATE_EXEC_LOG, searches, reports, true);
  },
);

/**
 * Realistic events with varied values: syscall events (an optional AVC first,
 * then SYSCALL, some of CWD/PATH/AVC, PROCTITLE) and user-space, LOGIN and
 * ANOM_LINK events, one per stamp.
 */
function variedEvent(kind: number, i: number, extras: boolean[], stamp: string): string[] {
  const pid = 10 + i % 4, auid = 1000 + i % 2, ses = i % 5;
  const lines: string[] = [];
  const avc =
    `avc:  ${i % 2 ? "denied" : "granted"}  { read${i % 3 ? "" : " write"} } for  pid=${pid} ` +
    `comm="c${i % 3}" name="g${i % 2}" dev="sda1" ino=5 scontext=u:r:t${i % 2}:s0 ` +
    `tcontext=u:o:o${i % 3}:s0 tclass=file permissive=0`;
  // extras[4]: ENRICHED, as auditd with log_format=ENRICHED writes it
  const enrichment = extras[4]
    ? `\x1dAUID="${i % 2 ? "alice" : "unset"}" UID="root" ARCH=x86_64 SYSCALL=open`
    : "";
  const add = (type: string, body: string) =>
    lines.push(`type=${type} msg=audit(${stamp}): ${body}${enrichment}`);
  if (kind === 0) {
    if (extras[0]) add("AVC", avc);
    add(
      "SYSCALL",
      `arch=c000003e syscall=${[2, 59, 257][i % 3]} success=${i % 2 ? "yes" : "no"} ` +
        `exit=${i % 2 ? 3 : -13} a0=0 a1=0 a2=0 a3=0 items=1 ppid=${i % 3} pid=${pid} ` +
        `auid=${auid} uid=${i % 2} gid=${i % 3} euid=${i % 2} suid=0 fsuid=0 egid=${i % 3} ` +
        `sgid=0 fsgid=0 tty=${i % 2 ? "pts0" : "(none)"} ses=${ses} comm="c${i % 3}" ` +
        `exe="/bin/e${i % 3}" subj=u:r:t${i % 2}:s0 key=${i % 2 ? '"k1"' : "(null)"}`,
    );
    if (extras[1]) add("CWD", `cwd="/d${i % 2}"`);
    if (extras[2]) {
      const name = ["/etc/f" + i % 3, "./rel", "rel" + i % 2, "../up"][i % 4];
      add(
        "PATH",
        `item=0 name="${name}" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 ` +
          `obj=u:o:o${i % 2}:s0 nametype=NORMAL`,
      );
    }
    if (extras[3]) add("AVC", avc);
    add("PROCTITLE", "proctitle=78");
  } else if (kind === 1) {
    add(
      "USER_CMD",
      `pid=${pid} uid=${i % 2} auid=${auid} ses=${ses} subj=u:r:t${i % 2}:s0 msg='cwd="/" ` +
        `cmd=6C73 exe="/usr/bin/sudo" terminal=pts/${i % 2} res=${i % 2 ? "success" : "failed"}'`,
    );
  } else if (kind === 2) {
    add(
      "USER_LOGIN",
      `pid=${pid} uid=0 auid=${auid} ses=${ses} msg='op=login id=${auid} exe="/usr/sbin/sshd" ` +
        `hostname=${i % 2 ? "h1" : "?"} addr=10.0.0.${i % 3} terminal=ssh ` +
        `res=${i % 2 ? "success" : "failed"}'`,
    );
  } else if (kind === 3) {
    add(
      "LOGIN",
      `pid=${pid} uid=0 subj=u:r:t0:s0 old-auid=4294967295 auid=${auid} tty=(none) ` +
        `old-ses=4294967295 ses=${ses} res=1`,
    );
  } else if (kind === 5) {
    add(
      "USER_AVC",
      `pid=${pid} uid=0 auid=${auid} ses=${ses} subj=u:r:t${i % 2}:s0 msg='${
        i % 3 ? avc.replace(" permissive=0", "") : "op=policy"
      } exe="/usr/lib/systemd/systemd" sauid=0 hostname=? addr=? terminal=${i % 2 ? "?" : "? x"}'`,
    );
  } else if (kind === 6) {
    add(
      "AVC",
      `apparmor="DENIED" operation="open" profile="/usr/bin/p${i % 2}" name="/etc/f${i % 3}" ` +
        `pid=${pid} comm="c${i % 3}" requested_mask="r" denied_mask="r" fsuid=0 ouid=0`,
    );
    if (extras[0]) {
      add(
        "SYSCALL",
        `arch=c000003e syscall=257 success=no exit=-13 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 ` +
          `pid=${pid} auid=${auid} uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 ` +
          `tty=(none) ses=${ses} comm="c${i % 3}" exe="/bin/e${i % 3}" subj=p key="k1"`,
      );
    }
  } else if (kind === 7) {
    add(
      "SECCOMP",
      `auid=${auid} uid=${i % 2} gid=0 ses=${ses}${i % 2 ? " subj=u:r:t0:s0" : ""} pid=${pid} ` +
        `comm="c${i % 3}" exe="/bin/e${i % 3}" sig=${i % 2 ? 31 : 0} arch=c000003e ` +
        `syscall=${[2, 59, 330][i % 3]} compat=0 ip=0x7f code=0x50000`,
    );
  } else if (kind === 8) {
    add(
      "NETFILTER_CFG",
      `table=filter:${i % 3} family=2 entries=${i % 5} op=nft_register_chain pid=${pid} ` +
        `subj=u:r:t0:s0 comm="c${i % 3}"`,
    );
    if (extras[0]) {
      add(
        "SYSCALL",
        `arch=c000003e syscall=46 success=yes exit=0 a0=3 a1=0 a2=0 a3=0 items=0 ppid=1 ` +
          `pid=${pid} auid=${auid} uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 ` +
          `tty=(none) ses=${ses} comm="c${i % 3}" exe="/bin/e${i % 3}" subj=u:r:t0:s0 key=(null)`,
      );
    }
  } else if (kind === 9) {
    add(
      "TTY",
      `tty pid=${pid} uid=${i % 2} auid=${auid} ses=${ses} major=136 minor=${i % 3} ` +
        `comm="bash"${i % 2 ? " data=6C730D" : ""}`,
    );
  } else if (kind === 10) {
    add(
      ["ADD_GROUP", "DEL_GROUP", "GRP_MGMT", "ADD_USER"][i % 4],
      `pid=${pid} uid=0 auid=${auid} ses=${ses} msg='op=x ${i % 2 ? "id" : "gid"}=${i % 3} acct="a${
        i % 2
      }" exe="/usr/sbin/groupadd" hostname=? addr=? terminal=pts/0 res=success'`,
    );
  } else if (kind === 11) {
    add(
      "CONFIG_CHANGE",
      `auid=${auid} ses=${ses} subj=u:r:t0:s0 op=${i % 2 ? "add_rule" : "remove_rule"} ` +
        `key=${i % 3 ? '"k1"' : "(null)"} list=4 res=${i % 2}`,
    );
  } else {
    add(
      "ANOM_LINK",
      `op=linkat ppid=1 pid=${pid} auid=${auid} uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 ` +
        `fsgid=0 tty=pts${i % 2} ses=${ses} comm="c${i % 3}" exe="/bin/e${i % 3}" ` +
        `subj=u:r:t0:s0 res=0`,
    );
  }
  return lines;
}

const VARIED_SEARCHES: string[][] = [
  ["-p", "11"],
  ["-pp", "1"],
  ["-ui", "1"],
  ["-ue", "0"],
  ["-ul", "1001"],
  ["-ua", "1000"],
  ["-gi", "2"],
  ["-ge", "1"],
  ["-ga", "1"],
  ["-x", "/bin/e1"],
  ["-x", "sshd"],
  ["-c", "c2"],
  ["-sv", "no"],
  ["-sv", "yes"],
  ["-e", "-13"],
  ["-f", "/etc/f1"],
  ["-f", "rel"],
  ["-f", "/d1"],
  ["-hn", "h1"],
  ["-hn", "10.0.0.2"],
  ["-tm", "pts0"],
  ["-tm", "ssh"],
  ["--session", "3"],
  ["-k", "k1"],
  ["-sc", "59"],
  ["-su", "t1"],
  ["-o", "o2"],
  ["-se", "o1"],
  ["-m", "AVC"],
  ["-m", "USER_AVC,SECCOMP,TTY"],
  ["-ul", "root"],
  ["-ua", "root"],
  ["-k", "null"],
  ["-gi", "1"],
  [],
];

const VARIED_REPORTS: string[][] = [
  [],
  ["-au"],
  ["-l"],
  ["-a"],
  ["-a", "--summary"],
  ["-x"],
  ["-k"],
  ["-e"],
  ["-f"],
  ["-s"],
  ["-u"],
  ["-p"],
  ["-c"],
  ["-tm"],
  ["-h"],
  ["--comm"],
  ["-m"],
  ["-n"],
  ["-r"],
  ["-x", "--summary"],
  ["-u", "-i"],
  ["--failed"],
  ["-tm", "--summary"],
  ["-h", "--summary"],
  ["-au", "-i"],
];

oracleTest(
  "searches and reports of varied realistic events equal ausearch and aureport",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-varied-" });
    const log = `${dir}/audit.log`;
    const ev = fc.tuple(
      // mostly syscall events, which have the most fields
      fc.constantFrom(0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
      fc.nat(),
      fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(ev, { minLength: 1, maxLength: 6 }),
          fc.constantFrom(...VARIED_SEARCHES),
          fc.constantFrom(...VARIED_REPORTS),
          fc.constantFrom(["--raw"], ["-i"], ["--format", "csv"], ["--format", "text"], []),
          async (events, criteria, reportArgs, format) => {
            const searchArgs = [...format, ...criteria];
            const lines = events.flatMap(([kind, i, extras], n) =>
              variedEvent(kind, i, extras, `${1700000000 + n}.000:${n + 1}`)
            );
            await Deno.writeTextFile(log, lines.join("\n") + "\n");
            await assertSameAs("ausearch", ["-if", log, ...searchArgs]);
            await assertSameAs("aureport", ["-if", log, ...reportArgs]);
          },
        ),
        { numRuns: 600 },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

oracleTest(
  "search and report equal ausearch and aureport on logs written as auditd writes them, stamps out of order",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-late-" });
    const log = `${dir}/audit.log`;
    // events in the order auditd writes them, each with its own serial: a syscall's records
    // together (a user message may come between them), PROCTITLE last; stamps in any order
    // over a few seconds, so that events wait, time out and arrive late
    const ev = fc.record({
      kind: fc.constantFrom(0, 0, 1, 2, 3, 7, 9),
      i: fc.nat(),
      extras: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      sec: fc.integer({ min: 0, max: 5 }),
      milli: fc.constantFrom(0, 100, 200),
      inside: fc.boolean(),
    });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(ev, { minLength: 1, maxLength: 12 }),
          fc.constantFrom([], ["-i"], ["--raw"], ["--format", "csv"], ["--format", "text"]),
          fc.constantFrom([], ["-e"], ["-x"], ["-au"], ["-u"], ["-t"], ["-e", "--summary"]),
          async (events, searchArgs, reportArgs) => {
            const lines: string[] = [];
            // a user message put inside the syscall event written before it
            let open: string[] = [];
            for (const [n, e] of events.entries()) {
              const stamp = `${1700000000 + e.sec}.${String(e.milli).padStart(3, "0")}:${n + 1}`;
              const these = variedEvent(e.kind, e.i, e.extras, stamp);
              if (these.length === 1 && e.inside && open.length > 1) {
                lines.push(...open.slice(0, -1), ...these, open[open.length - 1]);
                open = [];
              } else {
                lines.push(...open);
                open = these;
              }
            }
            lines.push(...open);
            await Deno.writeTextFile(log, lines.join("\n") + "\n");
            await assertSameAs("ausearch", ["-if", log, ...searchArgs]);
            await assertSameAs("aureport", ["-if", log, ...reportArgs]);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

oracleTest(
  "csv and text carry the ENRICHED names libauparse last loaded into the next events' user-name matches, as ausearch does",
  ["ausearch"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-carried-" });
    try {
      // an event: AVC, SYSCALL, PROCTITLE (its first record not a SYSCALL: ausearch does not
      // load its own names), or SYSCALL, PROCTITLE (it does); names on each record or none
      const event = (
        n: number,
        uid: number,
        withAvc: boolean,
        names?: [string, string, string],
      ) => {
        const stamp = `${1700000000 + n}.000:${n}`;
        const tag = (i: number) => names ? `\x1dUID="${names[i]}" AUID="unset"` : "";
        const lines = [
          `type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=2 success=yes exit=3 a0=0 ` +
          `a1=0 a2=0 a3=0 items=1 ppid=1 pid=${10 + n} auid=1001 uid=${uid} gid=0 euid=${uid} ` +
          `suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="c" exe="/bin/e" ` +
          `subj=u:r:t:s0 key=(null)${tag(1)}`,
          `type=PROCTITLE msg=audit(${stamp}): proctitle=78${tag(2)}`,
        ];
        if (withAvc) {
          lines.unshift(
            `type=AVC msg=audit(${stamp}): avc:  denied  { read } for  pid=${10 + n} ` +
              `comm="c" name="g" dev="sda1" ino=5 scontext=u:r:t:s0 tcontext=u:o:o:s0 ` +
              `tclass=file permissive=0${tag(0)}`,
          );
        }
        return lines;
      };
      const logs: string[][] = [
        // written as csv or text, the first event leaves its SYSCALL's names loaded (the last
        // record libauparse went to): the second matches root by them; writing the second goes
        // to records without names, so the third does not
        [...event(1, 0, true, ["x", "root", "y"]), ...event(2, 1, true), ...event(3, 1, true)],
        // an event that loads its own names (the second) drops what was carried
        [...event(1, 0, true, ["x", "root", "y"]), ...event(2, 1, false), ...event(3, 1, true)],
        // the names of the last record gone to stay (the SYSCALL's daemon), not the first's
        [...event(1, 0, true, ["root", "daemon", "root"]), ...event(2, 1, true)],
        // an event that loads its own names leaves none behind
        [...event(1, 0, false, ["x", "root", "y"]), ...event(2, 1, true)],
      ];
      for (const [i, lines] of logs.entries()) {
        const log = `${dir}/audit${i}.log`;
        await Deno.writeTextFile(log, lines.join("\n") + "\n");
        for (const format of [["--format", "text"], ["--format", "csv"], ["--raw"]]) {
          for (const who of [["-ua", "root"], ["-ui", "daemon"], ["-ua", "0"]]) {
            await assertSameAs("ausearch", ["-if", log, ...format, ...who]);
          }
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

oracleTest(
  "keystrokes name every key libauparse names, as ausearch -i and aureport --tty show them",
  ["ausearch", "aureport"],
  async () => {
    const { TTY_NAMED_KEYS } = await import("../lib/interpret/_tty_keys.ts");
    const hex = (s: string) =>
      [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()).join("");
    const lines: string[] = [];
    // every named sequence, between printable text, 20 to a record; TTY and USER_TTY records
    for (let i = 0; i < TTY_NAMED_KEYS.length; i += 20) {
      const data = TTY_NAMED_KEYS.slice(i, i + 20).map(([seq]) => `a${seq}`).join("") + "\x1b";
      const n = i / 20;
      lines.push(
        n % 2 === 0
          ? `type=TTY msg=audit(1700000000.${String(n).padStart(3, "0")}:${n + 1}): tty pid=1 ` +
            `uid=0 auid=0 ses=1 major=136 minor=0 comm="bash" data=${hex(data)}`
          : `type=USER_TTY msg=audit(1700000000.${String(n).padStart(3, "0")}:${n + 1}): pid=1 ` +
            `uid=0 auid=0 ses=1 msg='data=${hex(data)} res=success'`,
      );
    }
    await compareOnLines(lines, [["-i"], ["--format", "text"], ["--format", "csv"]], [
      ["--tty"],
      ["--tty", "-i"],
    ]);
  },
);

oracleTest(
  "records of types libaudit does not know are kept and shown as ausearch and aureport show them",
  ["ausearch", "aureport"],
  async () => {
    await compareOnLines(
      [
        "type=FOOBAR msg=audit(1700000000.000:1): a=1",
        "type=UNKNOWN[1999] msg=audit(1700000000.000:2): pid=7 uid=0 auid=1000 ses=1",
        "type=1998 msg=audit(1700000000.000:3): c=3",
        "type=syscall msg=audit(1700000001.000:4): arch=c000003e syscall=2 success=no " +
        "exit=-2 a0=1 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 " +
        'fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="cat" exe="/bin/cat" key="k"',
        "type=UNKNOWN[] msg=audit(1700000002.000:5): d=4",
      ],
      [["-i"], ["--raw"], [], ["--format", "csv"], ["--format", "text"]],
      [[], ["-e"], ["-e", "-i"], ["-e", "--summary"], ["-e", "--summary", "-i"], ["-s"], ["-k"]],
    );
  },
);

oracleTest(
  "long lines are read in pieces, a NUL ends a line, a CR stays, as ausearch and aureport read them",
  ["ausearch", "aureport"],
  async () => {
    const head = (n: number) => `type=CWD msg=audit(${1700000000 + n}.000:${n + 1}): cwd="/`;
    // a piece of 8969 bytes ends where the next record of the long line starts
    const fill = "B".repeat(8969 - head(2).length);
    const lines = [
      `${head(0)}${"A".repeat(20000)}" x=1`,
      `${head(1)}b"`,
      `${head(2)}${fill}${head(3)}inner"`,
      `${head(4)}${"C".repeat(8969 - head(4).length - 1)}"`,
      `${head(5)}${"D".repeat(8969 - head(5).length)}"`,
      `${head(6)}c"`,
      // a NUL ends a line's text (C strings), in a piece of a long line too
      `${head(7)}a\0b" x=1`,
      `\0${head(8)}d"`,
      `${head(9)}${"E".repeat(9000)}\0" ${head(10)}e"`,
      `${head(11)}f"`,
      // a CR before the newline is part of the line (CRLF logs)
      `${head(12)}g" x=1\r`,
      `\r`,
      `${head(13)}h"\r`,
      // a NUL after an ENRICHED line's 0x1D ends the line there too
      `${head(14)}i" x=1\x1dAUID="root"\0 y=2\x1dUID="root"`,
      `${head(15)}j"\x1d\0AUID="root"`,
    ];
    await compareOnLines(
      lines,
      [["--raw"], ["-i"], [], ["--format", "csv"], ["--format", "text"]],
      [
        [],
        ["-e"],
        ["-f"],
      ],
    );
  },
);

oracleTest(
  "odd headers and time stamps read as the tools read them, refused ones reported on stderr",
  ["ausearch", "aureport"],
  async () => {
    await compareOnLines(
      [
        ' type=CWD msg=audit(1700000000.000:1): cwd="/a"',
        'node=x  type=CWD msg=audit(1700000001.000:2): cwd="/b"',
        'type=CWD  msg=audit(1700000002.000:3): cwd="/c"',
        'type=CWD msg=audit(1700000003.5:4): cwd="/d"',
        'type=CWD msg=audit(1700000004.000:5):cwd="/e"',
        'type=CWD\tmsg=audit(1700000005.000:6): cwd="/f"',
        'type=CWD msg=audit(1700000006.000:7) cwd="/g"',
        'foo type=CWD msg=audit(1700000007.000:8): cwd="/h"',
        'type=CWD msg=audit(1700000008.000:9): cwd="/i" type=CWD msg=audit(1700000009.000:10): x=1',
        // time stamps only the C parser reads, and ones it refuses with a message on stderr
        'type=CWD msg=audit(1700000010.1000:11): cwd="/k"',
        'type=CWD msg=audit(abc): cwd="/l"',
        'type=CWD msg=audit(1700000011): cwd="/m"',
        'type=CWD msg=audit(99999999999999999999999.000:14): cwd="/n"',
        'type=CWD msg=audit(1700000012.000:): cwd="/o"',
        'type=CWD msg=audit(-5.000:16): cwd="/p"',
        'type=CWD msg=audit(1700000013.000:99999999999): cwd="/q"',
        'type=CWD msg=(1700000014.000:18): cwd="/r"',
        "type=CWD msg=audit(1.0:1)",
      ],
      [["--raw"], ["-i"], [], ["--format", "csv"], ["--format", "text"]],
      [[], ["-e"], ["-f"]],
    );
  },
);

/** The searches run on damaged logs: every output format (csv with its extra columns). */
const DAMAGED_SEARCHES = [
  ["--raw"],
  ["-i"],
  ["--format", "csv"],
  ["--format", "csv", "--extra-labels", "--extra-obj2", "--extra-keys"],
  ["--format", "text"],
  ["-sv", "no", "-i"],
];

oracleTest(
  "sample logs cut, shuffled and damaged read as the tools read them (a mutation property test)",
  ["ausearch", "aureport"],
  async () => {
    await fc.assert(
      fc.asyncProperty(damagedLog, async (lines) => {
        await compareOnLines(
          lines,
          [...DAMAGED_SEARCHES, ["-ui", "0", "--raw"]],
          [[], ["-e"], ["-f"], ["-x", "--summary"], ["-t"], ["-u", "-i"], ["-s"], ["-au"], ["-m"]],
          true,
        );
      }),
      { numRuns: Number(Deno.env.get("RUNS") ?? 60) },
    );
  },
);

oracleTest(
  "cut and shuffled records (as a mutation fuzzer found them) read as the tools read them",
  ["ausearch", "aureport"],
  async () => {
    const sys = (stamp: string, rest = "") =>
      `type=SYSCALL msg=audit(${stamp}): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c ` +
      `a1=1 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 ` +
      `fsgid=0 tty=(none) ses=1 comm="cat" exe="/usr/bin/cat" key=(null)${rest}`;
    await compareOnLines(
      [
        // one ausearch event that libauparse, fed its records one at a time, splits in three
        // events of one time stamp: they go out in the order they complete
        'type=PATH msg=audit(1700000000.000:1): item=0 name="/etc/x" nametype=NORMAL',
        "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=636174",
        sys("1700000000.000:1"),
        "type=EOE msg=audit(1700000000.000:1): ",
        'type=CWD msg=audit(1700000000.000:1): cwd="/root"',
        // an AVC alone: no syscall to name subject, result and object from
        'type=AVC msg=audit(1700000010.000:2): avc:  denied  { read write } for  pid=5 comm="httpd" ' +
        'name="i" dev="sda1" ino=4 scontext=system_u:system_r:httpd_t:s0 ' +
        "tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file permissive=0",
        // user records cut before their result: the object is still found, NULLs print as (null)
        "type=VIRT_MACHINE_ID msg=audit(1700000020.000:3): pid=2600 uid=0 auid=4294967295 " +
        'ses=4294967295 subj=unconfined msg=\'virt=kvm vm="web1" uuid',
        "type=USER_AUTH msg=audit(1700000030.000:4): pid=7100 uid=0 auid=1000 ses=9 msg='op=PAM:",
        "type=USER_LOGIN msg=audit(1700000031.000:5): pid=7101 uid=0 auid=1000 ses=9 msg='op=login",
        // a stamp word of 18 characters that ends the line: ausearch and aureport count the
        // newline and take it, libauparse (csv, text) does not
        "type=PROCTITLE msg=audit(17000001",
        // a line that ends right after its stamp
        "type=PATH msg=audit(1700000040.000:6)",
        'type=PATH msg=audit(1700000040.000:6): item=0 name="/etc/g" nametype=NORMAL',
        // a cut SYSCALL record before a whole one: libauparse's normaliser finds ses in the
        // second but records it in the first (the record it was asked about), which has no such
        // field, so the session prints as nothing
        sys("1700000050.000:7").slice(0, 200),
        sys("1700000050.000:7"),
        'type=PATH msg=audit(1700000050.000:7): item=0 name="/nonexistent" nametype=UNKNOWN',
        "type=PROCTITLE msg=audit(1700000050.000:7): proctitle=636174",
        // CONFIG_CHANGE with a SYSCALL: the object is a rule's key unless (null), else the
        // setting, by name when op is set
        "type=CONFIG_CHANGE msg=audit(1700000060.000:8): auid=1000 ses=2 subj=unconfined " +
        "op=remove_rule key=(null) list=4 res=1",
        sys("1700000060.000:8").replace("key=(null)", 'key="time-change"'),
        "type=CONFIG_CHANGE msg=audit(1700000061.000:9): op=set audit_enabled=1 old=0 auid=0 " +
        "ses=1 res=1",
        sys("1700000061.000:9"),
        // an ENRICHED list as libauparse loads it: names lower-cased, the first of a name kept
        "type=SERVICE_START msg=audit(1700000070.000:10): pid=1 uid=0 auid=4294967295 " +
        "ses=4294967295 subj=unconfined msg='unit=x res=success'\x1dUID=\"root\" res=odd " +
        'AUID="unset" uid="other" Ses=7',
        // two SYSCALL records in one event: each reads its own arguments (open's a2 is a mode
        // only when its own a1 has O_CREAT)
        "type=SYSCALL msg=audit(1700000080.000:11): arch=c000003e syscall=1 success=yes exit=1 " +
        "a0=3 a1=7ffc a2=1 a3=0 items=0 ppid=1 pid=3000 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 " +
        'egid=0 sgid=0 fsgid=0 tty=(none) ses=8 comm="sshd" exe="/usr/sbin/sshd" key=(null)',
        "type=SYSCALL msg=audit(1700000080.000:11): arch=40000003 syscall=5 success=yes exit=3 " +
        "a0=bfff a1=8000 a2=0 a3=0 items=1 ppid=1 pid=6000 auid=1000 uid=0 gid=0 euid=0 suid=0 " +
        'fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts2 ses=9 comm="old" exe="/opt/old" key=(null)',
        // a uid of -1 (written, or found in old-auid= when uid= is lost) is no user for -u
        "type=LOGIN msg=audit(1700000090.000:12): pid=3000 uid=4294967295 auid=0 ses=8 res=1",
        "type=LOGIN msg=audit(1700000091.000:13): pid=3000 subj=x old-auid=4294967295 auid=0 " +
        "ses=8 res=1",
        // a daemon record's uid is read after its pid: a user only when written there
        "type=DAEMON_END msg=audit(1700000092.000:14): op=terminate auid=0 uid=0 " +
        "ses=4294967295 subj=unconfined pid=1 res=success",
        "type=DAEMON_END msg=audit(1700000093.000:15): op=terminate auid=0 uid=0 " +
        "ses=4294967295 subj=unconfined pid=1 uid=0 res=success",
        // a SECCOMP record without its pid: aureport -s prints the unread pid (-1) with %u
        "type=SECCOMP msg=audit(1700000094.000:16): auid=1000 uid=1000 gid=1000 ses=7 " +
        'subj=unconfined comm="chrome" exe="/opt/google/chrome/chrome" sig=0 arch=c000003e ' +
        "syscall=330 compat=0 ip=0x7f1e2 code=0x50000",
        // a setting changed with a SYSCALL that has a key: the key is found in the SYSCALL
        // record but recorded in the first, which has no field of that number: no object
        "type=CONFIG_CHANGE msg=audit(1700000095.000:17): op=set audit_pid=4242 old=4000 " +
        "auid=4294967295 ses=4294967295 res=0",
        sys("1700000095.000:17").replace("key=(null)", 'key="k"'),
        // an empty permission list with a space ("{ }"): aureport's permission is the rest of
        // the text
        "type=USER_AVC msg=audit(1700000096.000:18): pid=4 uid=0 auid=4294967295 " +
        "ses=4294967295 msg='avc:  denied  { } start } for auid=0 uid=0 gid=0 " +
        'path="/x.service" scontext=ll_u:r:l_t:s0 tcontext=mm_u:object_r:m_t:s0 ' +
        'tclass=service exe="/usr/lib/systemd/systemd" sauid=0 hostname=? addr=? terminal=?\'',
        // a USER_LOGIN joined to an event a SYSCALL started: a login for aureport -l all the same
        sys("1700000097.000:19"),
        "type=USER_LOGIN msg=audit(1700000097.000:19): pid=9006 uid=0 auid=1000 ses=10 " +
        'msg=\'op=login id=1000 exe="/usr/sbin/sshd" hostname=198.51.100.1 addr=198.51.100.1 ' +
        "terminal=/dev/pts/3 res=success'",
      ],
      DAMAGED_SEARCHES,
      [
        [],
        ["-e"],
        ["-au"],
        ["-au", "-i"],
        ["-l"],
        ["-l", "-i"],
        ["-l", "--summary"],
        ["-t"],
        [
          "-u",
          "-i",
        ],
        ["-s"],
        ["-a"],
      ],
      true,
    );
    // an event ausearch shows but libauparse does not take: csv has no header then
    await compareOnLines(["type=DAEMON_END msg=audit(17000000"], DAMAGED_SEARCHES, [[]], true);
  },
);

oracleTest(
  "any mix of odd lines (spaces, stamps, CR, NUL, long lines, unknown types) reads as the tools read it",
  ["ausearch", "aureport"],
  async () => {
    const line = fc.record({
      lead: fc.constantFrom("", "", " ", "node=n1 ", "node=n2  "),
      type: fc.constantFrom("CWD", "PATH", "SYSCALL", "EOE", "PROCTITLE", "FOOBAR", "1998"),
      gap: fc.constantFrom(" ", " ", "  "),
      sec: fc.integer({ min: 0, max: 5 }),
      serial: fc.integer({ min: 1, max: 5 }),
      stamp: fc.constantFrom("%s.000:%n", "%s.000:%n", "%s.5:%n", "%s:%n", "%s.1000:%n"),
      body: fc.constantFrom(
        'cwd="/x"',
        'cwd="/x"\x1dUID="root"',
        "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 " +
          "pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 " +
          'comm="cat" exe="/usr/bin/cat" key="k"',
        'item=0 name="/etc/passwd" inode=5 dev=08:01 mode=0100644 ouid=0 ogid=0 nametype=NORMAL',
        "proctitle=636174002F6574632F706173737764",
        "",
        'cwd="/a\0b"',
        'cwd="/' + "L".repeat(9000) + '"',
      ),
      end: fc.constantFrom("", "", "\r"),
    }).map(({ lead, type, gap, sec, serial, stamp, body, end }) =>
      `${lead}type=${type}${gap}msg=audit(${
        stamp.replace("%s", String(1700000000 + sec)).replace("%n", String(serial))
      }): ${body}${end}`
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 10 }), async (lines) => {
        // ausearch prints past the end of a record cut by a NUL in an event it reads as
        // ENRICHED (undefined behaviour): such mixes are left out
        fc.pre(!(lines.some((l) => l.includes("\x1d")) && lines.some((l) => l.includes("\0"))));
        // records of one event may be scattered here: auditkit groups them as ausearch does
        await compareOnLines(
          lines,
          [
            ["--raw"],
            ["-i"],
            ["--format", "csv"],
            ["--format", "text"],
            ["-k", "k"],
            ["-m", "CWD", "--raw"],
            ["-sv", "yes", "-i"],
          ],
          [[], ["-e"], ["-f"], ["-x"], ["-k"], ["-u", "-i"], ["-s", "--summary"], ["-t"]],
          true,
        );
      }),
      { numRuns: Number(Deno.env.get("RUNS") ?? 40) },
    );
  },
);

oracleTest(
  "criteria that turn events down before their turn: ausearch's messages about them still come, in order",
  ["ausearch"],
  () => {
    // events that cannot match are let go when complete (ausearch's order holds them 2 s of log
    // time); the readers' messages about them (a short sockaddr) are ausearch's all the same
    const call = (pid: number, ms: number, saddr: string) => [
      `type=SYSCALL msg=audit(1700000000.${ms}:${pid}): arch=c000003e syscall=42 success=yes ` +
      `exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=${pid} auid=1000 uid=0 gid=0 euid=0 ` +
      `suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="curl" exe="/usr/bin/curl" ` +
      `key=(null)`,
      `type=SOCKADDR msg=audit(1700000000.${ms}:${pid}): saddr=${saddr}`,
      `type=PROCTITLE msg=audit(1700000000.${ms}:${pid}): proctitle=6375726C`,
    ];
    const lines = [
      ...call(10, 100, "0200"),
      ...call(11, 200, "02000050C00002010000000000000000"),
      ...call(12, 300, "0A00"),
      ...call(13, 400, "0100"),
    ];
    const searches = [["-hn", "192.0.2.1"], ["-hn", "10.0.0.9"], ["-hn", "10.0.0.9", "-i"]];
    return compareOnLines(lines, [...searches, ["-p", "11"], ["-p", "99"], ["-k", "x"]], []);
  },
);
