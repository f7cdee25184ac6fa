import assert from "node:assert/strict";
import { ipv4Text, ipv6Text } from "../lib/inet.ts";

const v6 = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));

Deno.test("ipv6Text writes what glibc's inet_ntop writes", () => {
  // expected texts from glibc (Python's socket.inet_ntop on Debian 12)
  const cases: [string, string][] = [
    ["000000000000000000000000c0000201", "::192.0.2.1"],
    ["00000000000000000000ffff00000000", "::ffff:0.0.0.0"],
    ["00000000000000000000ffff01020304", "::ffff:1.2.3.4"],
    ["00000000000000000000000000000001", "::1"],
    ["00000000000000000000000000000000", "::"],
    ["00010000000000000000000000000000", "1::"],
    ["00000000000000000000000100000000", "::1:0:0"],
    ["00010000000000020000000000000003", "1:0:0:2::3"],
    ["00000001000200030004000500060007", "0:1:2:3:4:5:6:7"],
    ["20010db8000000000000000000000010", "2001:db8::10"],
  ];
  for (const [hex, text] of cases) assert.equal(ipv6Text(v6(hex)), text, hex);
});

Deno.test("ipv4Text reads four bytes at an offset", () => {
  assert.equal(ipv4Text(Uint8Array.of(9, 192, 0, 2, 1), 1), "192.0.2.1");
});
