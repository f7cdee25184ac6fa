import assert from "node:assert/strict";
import {
  auToArg32,
  auToArg64,
  auToExecArgs,
  auToExit,
  auToInAddrEx,
  auToProcess64Ex,
  auToReturn32,
  auToSubject32,
  auToText,
  currentSubject,
  encodeToken,
  parseTokenSpec,
} from "../mod.ts";
import { parseInetAddress } from "../lib/inet.ts";

const same = (spec: string, expected: ReturnType<typeof auToText>) =>
  assert.deepEqual(encodeToken(parseTokenSpec(spec)), encodeToken(expected), spec);

Deno.test("token specs give the constructors' tokens, fields in praudit's order", () => {
  same("text=a=b:c d", auToText("a=b:c d"));
  same("arg32=1:0x3:fd:x", auToArg32(1, "fd:x", 3));
  same("arg32=2:-1:len", auToArg32(2, "len", 0xffffffff));
  same("arg64=2:-1:len", auToArg64(2, "len", 0xffffffffffffffffn));
  same("return32=2:-1", auToReturn32(2, 0xffffffff));
  same("exit=1:3", auToExit(3, 1));
  same("exec_args=/bin/ls  -l", auToExecArgs(["/bin/ls", "-l"]));
  same('exec_args=["a b",""]', auToExecArgs(["a b", ""]));
  same("in_addr_ex=::ffff:192.0.2.1", auToInAddrEx(parseInetAddress("::ffff:192.0.2.1")));
  same(
    "process64_ex=1:2:3:4:5:6:7:18446744073709551615:2001:db8::1",
    auToProcess64Ex({
      auid: 1,
      euid: 2,
      egid: 3,
      ruid: 4,
      rgid: 5,
      pid: 6,
      sid: 7,
      port: 2n ** 64n - 1n,
      addr: parseInetAddress("2001:db8::1"),
    }),
  );
  same("subject", auToSubject32(currentSubject()));
  same("subject=self", auToSubject32(currentSubject()));
});

Deno.test("currentSubject reads this process's ids from /proc", () => {
  const s = currentSubject();
  assert.equal(s.pid, Deno.pid);
  assert.equal(s.ruid, Deno.uid());
  assert.equal(s.rgid, Deno.gid());
  assert.equal(s.auid, Number(Deno.readTextFileSync("/proc/self/loginuid")));
  assert.equal(s.sid, Number(Deno.readTextFileSync("/proc/self/sessionid")));
});

Deno.test("bad token specs are errors that name the spec", () => {
  const bad: [string, RegExp][] = [
    ["nope=1", /unknown token type "nope"/],
    ["constructor=1", /unknown token type "constructor"/],
    ["path", /path needs a value/],
    ["arg32=256:1:x", /argument number "256"/],
    ["arg32=1:4294967296:x", /value "4294967296"/],
    ["return64=1:x", /not an integer/],
    ["subject=1:2:3:4:5:6:7:8:2001:db8::1", /this token takes IPv4/],
    ["in_addr=::1", /in_addr takes IPv4/],
    ["in_addr_ex=1.2.3.4", /in_addr_ex takes IPv6/],
    ["opaque=zz", /hex bytes/],
    ['json={"type":"iport","port":70000}', /port/],
    ["json=[]", /an object with a "type"/],
  ];
  for (const [spec, re] of bad) {
    assert.throws(
      () => parseTokenSpec(spec),
      (e: Error) =>
        (e instanceof RangeError || e instanceof TypeError) &&
        e.message.startsWith(`Invalid token "${spec}": `) && re.test(e.message),
      spec,
    );
  }
});

Deno.test("parseInetAddress reads what inet_pton reads and refuses the rest", () => {
  assert.deepEqual([...parseInetAddress("10.0.0.255")], [10, 0, 0, 255]);
  assert.deepEqual(parseInetAddress("::"), new Uint8Array(16));
  assert.deepEqual([...parseInetAddress("::1")], [...new Array(15).fill(0), 1]);
  assert.deepEqual([...parseInetAddress("1::")].slice(0, 2), [0, 1]);
  for (
    const bad of ["1.2.3", "1.2.3.256", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::", "", "1.2.3.4.5"]
  ) {
    assert.throws(() => parseInetAddress(bad), TypeError, bad);
  }
});
