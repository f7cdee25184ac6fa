import assert from "node:assert/strict";
import {
  AUDIT_FEATURES_SIZE,
  AUDIT_REPLY,
  AUDIT_STATUS_SIZE,
  decodeAuditFeatures,
  decodeAuditStatus,
  decodeNlmsghdr,
  decodeSignalInfo,
  encodeIovec,
  encodeMmsghdr,
  encodeNlmsghdr,
  IOVEC_SIZE,
  MMSGHDR_LEN,
  MMSGHDR_SIZE,
  NLMSG_HDRLEN,
} from "../ffi/structs.ts";
import { oracleTest, run } from "./_helpers.ts";

// The C side fills each struct with its field's ordinal (1, 2, 3, ...) and
// dumps the bytes, so a decoder with a wrong offset reads a wrong ordinal.
const PROGRAM = `
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <libaudit.h>
static void dump(const char *name, const void *p, size_t n) {
  printf("\\"%s\\":\\"", name);
  for (size_t i = 0; i < n; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\\",");
}
int main(void) {
  struct audit_status s = { 1, 2, 3, 4, 5, 6, 7, 8, { 9 }, 10, 11 };
  struct audit_features f = { 1, 2, 3, 4 };
  struct nlmsghdr h = { 1, 2, 3, 4, 5 };
  struct iovec iov = { (void *)0x0102030405060708, 0x11121314 };
  struct mmsghdr m;
  memset(&m, 0, sizeof m);
  m.msg_hdr.msg_iov = (struct iovec *)0x2122232425262728;
  m.msg_hdr.msg_iovlen = 0x31323334;
  printf("{");
  dump("iovec", &iov, sizeof iov);
  dump("mmsghdr", &m, sizeof m);
  printf("\\"mmsg_len\\":%zu,", offsetof(struct mmsghdr, msg_len));
  dump("status", &s, sizeof s);
  dump("features", &f, sizeof f);
  dump("nlmsghdr", &h, sizeof h);
  printf("\\"reply_size\\":%zu,", sizeof(struct audit_reply));
  printf("\\"reply_type\\":%zu,", offsetof(struct audit_reply, type));
  printf("\\"reply_len\\":%zu,", offsetof(struct audit_reply, len));
  printf("\\"reply_nlh\\":%zu,", offsetof(struct audit_reply, msg.nlh));
  printf("\\"reply_data\\":%zu,", offsetof(struct audit_reply, msg.data));
  printf("\\"data_max\\":%zu,", sizeof(((struct audit_message *)0)->data));
  printf("\\"sig_pid\\":%zu,", offsetof(struct audit_sig_info, pid));
  printf("\\"sig_ctx\\":%zu", offsetof(struct audit_sig_info, ctx));
  printf("}\\n");
  return 0;
}
`;

function hex(s: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

oracleTest(
  "struct codecs agree with the C headers' layout",
  ["cc", "/usr/include/libaudit.h"],
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/layout.c`, PROGRAM);
      const cc = await run("cc", ["-o", `${dir}/layout`, `${dir}/layout.c`]);
      assert.equal(cc.code, 0, `cc failed (libaudit-dev installed?): ${cc.stderr}`);
      const out = JSON.parse((await run(`${dir}/layout`, [])).stdout);

      const status = hex(out.status);
      assert.equal(status.length, AUDIT_STATUS_SIZE);
      const s = decodeAuditStatus(new DataView(status.buffer), 0, status.length);
      assert.deepEqual(
        [
          s.mask,
          s.enabled,
          s.failure,
          s.pid,
          s.rate_limit,
          s.backlog_limit,
          s.lost,
          s.backlog,
          s.feature_bitmap,
          s.backlog_wait_time,
          s.backlog_wait_time_actual,
        ],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      );
      // an older kernel's shorter struct leaves the newer fields absent
      const old = decodeAuditStatus(new DataView(status.buffer), 0, 36);
      assert.equal(old.backlog_wait_time, undefined);
      assert.equal(old.backlog_wait_time_actual, undefined);

      const features = hex(out.features);
      assert.equal(features.length, AUDIT_FEATURES_SIZE);
      assert.deepEqual(decodeAuditFeatures(new DataView(features.buffer), 0), {
        vers: 1,
        mask: 2,
        features: 3,
        lock: 4,
      });

      const h = hex(out.nlmsghdr);
      assert.equal(h.length, NLMSG_HDRLEN);
      const hdr = { len: 1, type: 2, flags: 3, seq: 4, pid: 5 };
      assert.deepEqual(decodeNlmsghdr(new DataView(h.buffer), 0), hdr);
      const mine = new Uint8Array(NLMSG_HDRLEN);
      encodeNlmsghdr(new DataView(mine.buffer), 0, hdr);
      assert.deepEqual(mine, h);

      // recvmmsg's vector: what the encoders write is what the C compiler lays out
      const iov = new Uint8Array(IOVEC_SIZE);
      encodeIovec(new DataView(iov.buffer), 0, 0x0102030405060708n, 0x11121314);
      assert.deepEqual(iov, hex(out.iovec));
      const mm = new Uint8Array(MMSGHDR_SIZE);
      encodeMmsghdr(new DataView(mm.buffer), 0, 0x2122232425262728n, 0x31323334);
      assert.deepEqual(mm, hex(out.mmsghdr));
      assert.equal(out.mmsg_len, MMSGHDR_LEN);

      assert.equal(out.reply_size, AUDIT_REPLY.size);
      assert.equal(out.reply_type, AUDIT_REPLY.type);
      assert.equal(out.reply_len, AUDIT_REPLY.len);
      assert.equal(out.reply_nlh, AUDIT_REPLY.nlh);
      assert.equal(out.reply_data, AUDIT_REPLY.data);
      assert.equal(out.data_max, AUDIT_REPLY.dataMax);
      assert.equal(out.sig_pid, 4);
      assert.equal(out.sig_ctx, 8);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("decodeSignalInfo reads uid, pid and the context up to the payload's end", () => {
  const b = new Uint8Array(8 + 5);
  const v = new DataView(b.buffer);
  v.setUint32(0, 4294967295, true);
  v.setInt32(4, 812, true);
  b.set(new TextEncoder().encode("ctx:x"), 8);
  const info = decodeSignalInfo(b, 0, b.length);
  assert.equal(info.uid, 4294967295);
  assert.equal(info.pid, 812);
  assert.equal(new TextDecoder().decode(info.ctx), "ctx:x");
  assert.equal(decodeSignalInfo(b, 0, 8).ctx.length, 0);
});
