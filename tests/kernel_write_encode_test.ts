import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { encodeValue, formatAudgen, formatUserMessage, needsEncoding } from "../mod.ts";
import { audit, c, cstr, fromCString } from "../lib/_native.ts";
import { decodeValue, recordFields } from "./_records.ts";

const canFfi = Deno.build.os === "linux";

Deno.test({
  name: "needsEncoding agrees with libaudit's audit_value_needs_encoding, plus ' and =",
  ignore: !canFfi,
  fn() {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        fc.pre(!s.includes("\0"));
        const bytes = cstr(s);
        const libaudit = audit().audit_value_needs_encoding(bytes, bytes.length - 1) === 1;
        const extra = s.includes("'") || s.includes("=");
        assert.equal(needsEncoding(s), libaudit || extra, JSON.stringify(s));
      }),
      { numRuns: 500 },
    );
  },
});

Deno.test({
  name: "encodeValue writes what audit_encode_nv_string writes for the value",
  ignore: !canFfi,
  fn() {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), (s) => {
        fc.pre(!s.includes("\0") && !s.includes("'") && !s.includes("="));
        const value = cstr(s);
        const p = audit().audit_encode_nv_string(cstr("n"), value, value.length - 1);
        const ref = fromCString(p)!;
        c().free(p);
        assert.equal(`n=${encodeValue(s)}`, ref, JSON.stringify(s));
      }),
      { numRuns: 300 },
    );
  },
});

Deno.test("encodeValue hex-encodes ' and = and quotes plain values", () => {
  assert.equal(encodeValue("alice"), '"alice"');
  assert.equal(encodeValue("a=b"), "613D62");
  assert.equal(encodeValue("it's"), "69742773");
  assert.equal(encodeValue("x res=success"), "78207265733D73756363657373");
  assert.equal(encodeValue(new Uint8Array([0, 0xff])), "00FF");
  assert.equal(encodeValue(""), '""');
});

const TOKENS = ["string", "path", "hostname", "addr", "terminal", "hex"] as const;

Deno.test("for any argument strings, an audgen text has exactly the fields the caller set", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom(...TOKENS), fc.string({ unit: "binary", maxLength: 30 })),
        { minLength: 1, maxLength: 8 },
      ),
      (pairs) => {
        const r = formatAudgen(
          "USER",
          pairs.map(([t]) => t),
          pairs.map(([, v]) => v),
        );
        const fields = recordFields(`pid=1 uid=0 auid=1 ses=1 msg='${r.text}'`);
        assert.deepEqual(fields.slice(0, 4).map(([n]) => n), ["pid", "uid", "auid", "ses"]);
        const mine = fields.slice(4);
        assert.equal(mine.length, pairs.length, r.text);
        assert.ok(!mine.some(([n]) => ["pid", "uid", "auid", "ses", "res", "msg"].includes(n)));
        pairs.forEach(([, v], i) => {
          const decoded = decodeValue(mine[i][1]);
          assert.equal(decoded, new TextDecoder().decode(new TextEncoder().encode(v)));
        });
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("object messages of the wrappers encode every value: no forged field", () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), fc.string({ unit: "binary" }), {
        minKeys: 1,
        maxKeys: 6,
      }),
      (m) => {
        const text = formatUserMessage(m);
        const fields = recordFields(`msg='${text} res=success'`);
        const keys = Object.keys(m);
        assert.deepEqual(fields.map(([n]) => n), [...keys, "res"]);
        keys.forEach((k, i) => assert.equal(decodeValue(fields[i][1]), m[k]));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("audgen renders each token type into its field", () => {
  const r = formatAudgen(
    1100,
    ["string", "integer", "uid", "gid", "pid", "path", "opaque", "result", "string", "hostname"]
      .slice(0, 8) as never,
    ["a b", -5n, 1000, "-1", 42, "/etc/passwd", new Uint8Array([1, 2]), false],
  );
  assert.equal(
    r.text,
    'str=612062 int=-5 ouid=1000 ogid=4294967295 opid=42 path="/etc/passwd" data=0102 res=failed',
  );
  assert.equal(r.type, 1100);
  assert.equal(r.typeName, "USER_AUTH");
  const dup = formatAudgen("USER", ["string", "string", "string"], ["a", "b", "c"]);
  assert.equal(dup.text, 'str="a" str2="b" str3="c"');
});

Deno.test("audgen refuses bad input with EINVAL before anything is sent", () => {
  const einval = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: Error & { code?: string }) => {
      assert.equal(e.name, "AuditError");
      assert.equal(e.code, "EINVAL");
      assert.match(e.message, re);
      return true;
    });
  einval(() => formatAudgen(1300, ["string"], ["x"]), /not a user message type/);
  einval(() => formatAudgen(1006, ["string"], ["x"]), /not a user message type/);
  einval(() => formatAudgen(3000, ["string"], ["x"]), /not a user message type/);
  einval(() => formatAudgen("SYSCALL", ["string"], ["x"]), /\(1300\) is not a user message/);
  einval(() => formatAudgen("NO_SUCH_TYPE", ["string"], ["x"]), /unknown record type/);
  einval(
    () => formatAudgen("USER", Array(9).fill("string"), Array(9).fill("x")),
    /9 arguments, at most 8/,
  );
  einval(() => formatAudgen("USER", ["string"], ["x", "y"]), /1 token types for 2 arguments/);
  einval(() => formatAudgen("USER", ["bogus" as "string"], ["x"]), /unknown token type "bogus"/);
  einval(() => formatAudgen("USER", [], []), /no arguments/);
  einval(() => formatAudgen("USER", ["uid"], ["alice"]), /argument 1 \(uid\) "alice" must be/);
  einval(() => formatAudgen("USER", ["uid"], [2 ** 32]), /must be an integer from 0/);
  einval(() => formatAudgen("USER", ["pid"], [-2]), /must be an integer from 0/);
  einval(() => formatAudgen("USER", ["integer"], [1.5]), /64-bit signed integer/);
  einval(() => formatAudgen("USER", ["integer"], [2n ** 63n]), /64-bit signed integer/);
  einval(() => formatAudgen("USER", ["result"], ["maybe"]), /"success" or "failed"/);
  einval(() => formatAudgen("USER", ["string"], [5]), /must be a string/);
  einval(
    () => formatAudgen("USER", ["string"], ["x".repeat(8560)]),
    /the record text is 8566 bytes, the kernel keeps at most 8560/,
  );
  assert.equal(formatAudgen("USER", ["string"], ["x".repeat(8554)]).text.length, 8560);
});

Deno.test("user message types resolve by number and by name, with or without AUDIT_", () => {
  assert.equal(formatAudgen("USER_LOGIN", ["string"], ["x"]).type, 1112);
  assert.equal(formatAudgen("AUDIT_USER_LOGIN", ["string"], ["x"]).type, 1112);
  assert.equal(formatAudgen("2100", ["string"], ["x"]).type, 2100);
  assert.equal(formatAudgen(2999, ["string"], ["x"]).typeName, "UNKNOWN[2999]");
});
