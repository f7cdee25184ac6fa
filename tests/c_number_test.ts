import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { onlyDigits, strtol, strtolInt, strtoul } from "../lib/c_number.ts";

Deno.test("strtoul reads as C: space, sign, prefix, digits; two's complement; ERANGE", () => {
  assert.equal(strtoul(" \t+42z", 10), 42n);
  assert.equal(strtoul("0x1f", 16), 31n);
  assert.equal(strtoul("0xg", 16), 0n); // "0x" with no hex digit after it: the 0 alone
  assert.equal(strtoul("0x1f", 0), 31n);
  assert.equal(strtoul("017", 0), 15n);
  assert.equal(strtoul("09", 0), 0n); // octal: the 9 ends it
  assert.equal(strtoul("-1", 10), 0xffffffffffffffffn);
  assert.equal(strtoul("18446744073709551615", 10), 0xffffffffffffffffn);
  assert.equal(strtoul("18446744073709551616", 10), undefined);
  assert.equal(strtoul("x=12", 10, 2), 12n);
  assert.equal(strtoul("", 16), 0n);
});

Deno.test("strtol clamps to LONG_MIN..LONG_MAX and says so; strtolInt cuts to an int", () => {
  assert.deepEqual(strtol("-013", 0), { value: -11n, overflow: false });
  assert.deepEqual(strtol("9223372036854775807", 10), {
    value: 9223372036854775807n,
    overflow: false,
  });
  assert.deepEqual(strtol("9223372036854775808", 10), {
    value: 9223372036854775807n,
    overflow: true,
  });
  assert.deepEqual(strtol("-9223372036854775809", 10), {
    value: -9223372036854775808n,
    overflow: true,
  });
  assert.equal(strtolInt("1300abc"), 1300);
  assert.equal(strtolInt("4294967297"), 1);
  assert.equal(strtolInt("99999999999999999999"), -1); // LONG_MAX cut to an int
  assert.equal(strtolInt("-99999999999999999999"), 0); // LONG_MIN cut to an int
  assert.equal(strtolInt("abc"), 0);
});

Deno.test("strtoul's shortcut for plain digits agrees with the full scan", () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
    assert.equal(strtoul(n.toString(10), 10), n);
    assert.equal(strtoul(n.toString(16), 16), n);
    assert.equal(strtoul(" " + n.toString(16), 16), n); // the full scan (a space first)
    assert.equal(onlyDigits(n.toString(16), 10), /^\d+$/.test(n.toString(16)));
  }));
});
