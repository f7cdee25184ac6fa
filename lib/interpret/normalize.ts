/**
 * The event normaliser of libauparse 3.0.9 (`auparse_normalize`): who
 * (subject), did what (action), to what (object), how, with what result.
 * ausearch's `--format csv` and `--format text` print it.
 *
 * libauparse picks the pieces by walking a cursor over the event's fields
 * (a search for a name continues into the next records and can leave the
 * cursor past the last record); {@link Cursor} reproduces that walk because
 * which field is picked depends on it.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { AuditRecord } from "../event/record.ts";
import { type EscapeMode, fieldKind, interpretField } from "./interpret.ts";
import { recordTypeNumber } from "../event/types.ts";
import { uidOfName } from "../accounts.ts";
import { strtolInt } from "../c_number.ts";

/** A field of the event: record number and field number (node and type count as fields). */
export interface FieldRef {
  /** Index of the record in the event. */
  record: number;
  /** Index of the field in the record, as libauparse counts them. */
  field: number;
}

/** The normalised view of an event, as `auparse_normalize` leaves it. */
export interface NormalizedEvent {
  /** The event kind (`user-login`, `audit-rule`, ...). */
  kind: string;
  /** Whether normalising failed, as libauparse's does for several records none of which is a SYSCALL. */
  failed?: boolean;
  /** The session field. */
  session?: FieldRef;
  /** The primary subject field (who). */
  subjectPrimary?: FieldRef;
  /** The secondary subject field (acting as). */
  subjectSecondary?: FieldRef;
  /** The kind of subject account (`user-acct`, ...). */
  subjectKind?: string;
  /** Subject attribute fields. */
  subjectAttrs: FieldRef[];
  /** The action (`opened-file`, ...). */
  action?: string;
  /** The primary object field. */
  objectPrimary?: FieldRef;
  /** The secondary object field. */
  objectSecondary?: FieldRef;
  /** The second object field (target of rename, new mode, ...). */
  objectPrimary2?: FieldRef;
  /** Object attribute fields. */
  objectAttrs: FieldRef[];
  /**
   * ausearch prints the object's field name rather than its value (the
   * setting changed by a CONFIG_CHANGE that comes with its SYSCALL record).
   */
  objectByName?: boolean;
  /** The object kind (`file`, `socket`, ...). */
  objectKind: string;
  /** The result field. */
  results?: FieldRef;
  /** How the action was done (program, `init`, ...). */
  how?: string;
  /** The key field. */
  key?: FieldRef;
}

const T = (name: string): number => recordTypeNumber(name)!;

const RECORD_ACTIONS: ReadonlyMap<number, string> = new Map(
  ([
    ["USER", "sent-message"],
    ["LOGIN", "changed-login-id-to"],
    ["USER_AUTH", "authenticated"],
    ["USER_ACCT", "was-authorized"],
    ["USER_MGMT", "modified-user-account"],
    ["CRED_ACQ", "acquired-credentials"],
    ["CRED_DISP", "disposed-credentials"],
    ["USER_START", "started-session"],
    ["USER_END", "ended-session"],
    ["USER_AVC", "accessed-mac-policy-controlled-object"],
    ["USER_CHAUTHTOK", "changed-password"],
    ["USER_ERR", "caused-account-error"],
    ["CRED_REFR", "refreshed-credentials"],
    ["USYS_CONFIG", "changed-configuration"],
    ["USER_LOGIN", "logged-in"],
    ["USER_LOGOUT", "logged-out"],
    ["ADD_USER", "added-user-account"],
    ["DEL_USER", "deleted-user-account"],
    ["ADD_GROUP", "added-group-account-to"],
    ["DEL_GROUP", "deleted-group-account-from"],
    ["DAC_CHECK", "access-result"],
    ["CHGRP_ID", "changed-group"],
    ["TEST", "sent-test"],
    ["TRUSTED_APP", "unknown"],
    ["USER_SELINUX_ERR", "access-error"],
    ["USER_CMD", "ran-command"],
    ["USER_TTY", "typed"],
    ["CHUSER_ID", "changed-user-id"],
    ["GRP_AUTH", "authenticated-to-group"],
    ["SYSTEM_BOOT", "booted-system"],
    ["SYSTEM_SHUTDOWN", "shutdown-system"],
    ["SYSTEM_RUNLEVEL", "changed-to-runlevel"],
    ["SERVICE_START", "started-service"],
    ["SERVICE_STOP", "stopped-service"],
    ["GRP_MGMT", "modified-group-account"],
    ["GRP_CHAUTHTOK", "changed-group-password"],
    ["MAC_CHECK", "mac-permission"],
    ["ACCT_LOCK", "locked-account"],
    ["ACCT_UNLOCK", "unlocked-account"],
    ["USER_DEVICE", "configured-device"],
    ["SOFTWARE_UPDATE", "installed-software"],
    ["DAEMON_START", "started-audit"],
    ["DAEMON_END", "shutdown-audit"],
    ["DAEMON_ABORT", "aborted-auditd-startup"],
    ["DAEMON_CONFIG", "changed-auditd-configuration"],
    ["DAEMON_RECONFIG", "reconfigured-auditd"],
    ["DAEMON_ROTATE", "rotated-audit-logs"],
    ["DAEMON_RESUME", "resumed-audit-logging"],
    ["DAEMON_ACCEPT", "remote-audit-connected"],
    ["DAEMON_CLOSE", "remote-audit-disconnected"],
    ["DAEMON_ERR", "audit-error"],
    ["CONFIG_CHANGE", "changed-audit-configuration"],
    ["TTY", "typed"],
    ["SECCOMP", "called-seccomp-controlled-syscall"],
    ["FEATURE_CHANGE", "changed-audit-feature"],
    ["KERN_MODULE", "loaded-kernel-module"],
    ["FANOTIFY", "accessed-policy-controlled-file"],
    ["AVC", "accessed-mac-policy-controlled-object"],
    ["MAC_POLICY_LOAD", "loaded-selinux-policy"],
    ["MAC_STATUS", "changed-selinux-enforcement-to"],
    ["MAC_CONFIG_CHANGE", "changed-selinux-boolean"],
    ["MAC_MAP_ADD", "added-mac-network-domain-mapping-to"],
    ["MAC_MAP_DEL", "deleted-mac-network-domain-mapping-from"],
    ["ANOM_PROMISCUOUS", "changed-socket-promiscuous-mode"],
    ["ANOM_ABEND", "crashed-program"],
    ["ANOM_LINK", "used-suspcious-link"],
    ["ANOM_CREAT", "created-suspicious-file"],
    ["KERNEL", "initialized-audit-subsystem"],
    ["ANOM_LOGIN_FAILURES", "failed-log-in-too-many-times-to"],
    ["ANOM_LOGIN_TIME", "attempted-log-in-during-unusual-hour-to"],
    ["ANOM_LOGIN_SESSIONS", "opened-too-many-sessions-to"],
    ["ANOM_LOGIN_LOCATION", "attempted-log-in-from-unusual-place-to"],
    ["ANOM_RBAC_INTEGRITY_FAIL", "tested-file-system-integrity-of"],
    ["ANOM_EXEC", "attempted-execution-of-forbidden-program"],
    ["USER_ROLE_CHANGE", "changed-role-to"],
    ["ROLE_ASSIGN", "assigned-user-role-to"],
    ["ROLE_REMOVE", "removed-use-role-from"],
    ["LABEL_OVERRIDE", "overrode-label-of"],
    ["LABEL_LEVEL_CHANGE", "modified-level-of"],
    ["FS_RELABEL", "relabeled-filesystem"],
    ["USER_MAC_POLICY_LOAD", "loaded-mac-policy"],
    ["ROLE_MODIFY", "modified-role"],
    ["USER_MAC_CONFIG_CHANGE", "changed-mac-configuration"],
    ["USER_MAC_STATUS", "changed-selinux-enforcement-to"],
    ["CRYPTO_LOGIN", "crypto-officer-logged-in"],
    ["CRYPTO_LOGOUT", "crypto-officer-logged-out"],
    ["CRYPTO_KEY_USER", "negotiated-crypto-key"],
    ["CRYPTO_SESSION", "started-crypto-session"],
    ["VIRT_CONTROL", "issued-vm-control"],
    ["VIRT_RESOURCE", "assigned-vm-resource"],
    ["VIRT_MACHINE_ID", "assigned-vm-id"],
    ["VIRT_INTEGRITY_CHECK", "checked-integrity-of"],
    ["VIRT_CREATE", "created-vm-image"],
    ["VIRT_DESTROY", "deleted-vm-image"],
    ["VIRT_MIGRATE_IN", "migrated-vm-from"],
    ["VIRT_MIGRATE_OUT", "migrated-vm-to"],
  ] as const).flatMap(([n, a]) => {
    const t = recordTypeNumber(n);
    return t === undefined ? [] : [[t, a] as [number, string]];
  }),
);

/** Syscall classes of libauparse 3.0.9's normaliser. */
type SyscallClass =
  | "file"
  | "chattr"
  | "chperm"
  | "chown"
  | "ldmod"
  | "unldmod"
  | "dir"
  | "mount"
  | "rename"
  | "stat"
  | "sysstat"
  | "lnk"
  | "umnt"
  | "del"
  | "time"
  | "exec"
  | "accept"
  | "bind"
  | "conn"
  | "recv"
  | "send"
  | "pid"
  | "uid"
  | "gid"
  | "systime"
  | "mkdev"
  | "sysname"
  | "memory"
  | "sched";

const SYSCALL_CLASSES: ReadonlyMap<string, SyscallClass> = new Map(
  ([
    ["stat", "access faccessat faccessat2 newfstatat stat fstat lstat stat64 statx"],
    ["chperm", "chmod fchmod fchmodat"],
    ["chown", "chown fchown fchownat lchown"],
    ["ldmod", "finit_module init_module"],
    ["unldmod", "delete_module"],
    [
      "chattr",
      "setxattr fsetxattr lsetxattr removexattr fremovexattr lremovexattr",
    ],
    ["dir", "mkdir mkdirat"],
    ["mount", "fsmount fspick mount move_mount"],
    ["sysstat", "statfs fstatfs"],
    [
      "file",
      "creat fallocate truncate ftruncate memfd_create open openat openat2 readlink readlinkat",
    ],
    ["rename", "rename renameat renameat2"],
    ["del", "rmdir unlink unlinkat"],
    ["lnk", "symlink symlinkat"],
    ["umnt", "umount umount2"],
    ["time", "utime utimes futimesat utimensat"],
    ["exec", "execve execveat"],
    ["accept", "accept accept4"],
    ["bind", "bind"],
    ["conn", "connect"],
    ["recv", "recvfrom recvmsg"],
    ["send", "sendmsg sendto"],
    ["pid", "kill tkill tgkill"],
    ["uid", "setuid seteuid setfsuid setreuid setresuid"],
    ["gid", "setgid setegid setfsgid setregid setresgid"],
    ["systime", "settimeofday clock_settime stime adjtimex"],
    ["mkdev", "mknod mknodat"],
    ["sysname", "sethostname setdomainname"],
    ["memory", "mmap brk"],
    ["sched", "sched_setparam sched_setscheduler sched_setattr"],
  ] as const).flatMap(([cls, names]) => names.split(" ").map((n) => [n, cls] as const)),
);

const ACCT_UNSET = 4294967295;

/** Cursor over an event's fields, with libauparse's movement rules. */
class Cursor {
  readonly #event: AuditEvent;
  readonly #offsets: number[];
  /** Current record, or -1 when a search ran past the last one. */
  rec = 0;
  /** The current field of each record (libauparse keeps one per record). */
  readonly #fields: number[];

  constructor(event: AuditEvent) {
    this.#event = event;
    this.#offsets = event.records.map((r) => (r.node === undefined ? 1 : 2));
    this.#fields = event.records.map(() => 0);
  }

  get count(): number {
    return this.#event.records.length;
  }

  #record(): AuditRecord | undefined {
    return this.rec < 0 ? undefined : this.#event.records[this.rec];
  }

  #fieldCount(r: number): number {
    return this.#event.records[r].fieldCount + this.#offsets[r];
  }

  /** Whether record `r` has a field number `f` (libauparse's goto_field_num succeeds). */
  has(r: number, f: number): boolean {
    return r >= 0 && r < this.#event.records.length && f >= 0 && f < this.#fieldCount(r);
  }

  nameAt(r: number, f: number): string {
    const off = this.#offsets[r];
    if (f < off) return f === off - 1 ? "type" : "node";
    return this.#event.records[r].fieldName(f - off);
  }

  rawAt(r: number, f: number): string {
    const rec = this.#event.records[r];
    const off = this.#offsets[r];
    if (f < off) return f === off - 1 ? rec.writtenTypeName : rec.node!;
    return rec.fieldValue(f - off);
  }

  kindAt(r: number, f: number): string {
    const off = this.#offsets[r];
    if (f < off) return "unclassified";
    const rec = this.#event.records[r];
    return fieldKind(rec.type, rec.fieldName(f - off), rec.fieldValue(f - off));
  }

  interpretAt(r: number, f: number, escape: EscapeMode): string {
    const off = this.#offsets[r];
    if (f < off) return this.rawAt(r, f);
    return interpretField(this.#event, this.#event.records[r], f - off, escape);
  }

  get type(): number {
    return this.#record()?.type ?? 0;
  }

  get field(): number {
    return this.rec < 0 ? 0 : this.#fields[this.rec];
  }

  here(): FieldRef {
    return { record: this.rec, field: this.field };
  }

  firstRecord(): void {
    this.rec = 0;
    this.#fields[0] = 0;
  }

  nextRecord(): boolean {
    if (this.rec < 0) return false;
    this.rec++;
    if (this.rec >= this.count) {
      this.rec = -1;
      return false;
    }
    return true;
  }

  gotoRecord(n: number): boolean {
    if (n < 0 || n >= this.count) return false;
    this.rec = n;
    this.#fields[n] = 0;
    return true;
  }

  firstField(): void {
    if (this.rec >= 0) this.#fields[this.rec] = 0;
  }

  nextField(): boolean {
    if (this.rec < 0) return false;
    if (this.#fields[this.rec] + 1 < this.#fieldCount(this.rec)) {
      this.#fields[this.rec]++;
      return true;
    }
    return false;
  }

  gotoField(n: number): boolean {
    if (this.rec < 0 || n >= this.#fieldCount(this.rec)) return false;
    this.#fields[this.rec] = n;
    return true;
  }

  /** The raw value of the current field. */
  str(): string | undefined {
    return this.rec < 0 ? undefined : this.rawAt(this.rec, this.field);
  }

  /** `auparse_get_field_int`: strtol of the raw value, as an int. */
  int(): number {
    const s = this.str();
    return s === undefined ? -1 : strtolInt(s);
  }

  fieldType(): string {
    return this.rec < 0 ? "unclassified" : this.kindAt(this.rec, this.field);
  }

  name(): string | undefined {
    return this.rec < 0 ? undefined : this.nameAt(this.rec, this.field);
  }

  interpret(escape: EscapeMode): string {
    return this.interpretAt(this.rec, this.field, escape);
  }

  /** `auparse_find_field`: this field or the next one of that name, across records. */
  find(name: string): string | undefined {
    if (this.rec < 0) return undefined;
    if (this.nameAt(this.rec, this.field) === name) return this.str();
    let moved = false;
    while (this.rec >= 0) {
      const r = this.rec;
      const n = this.#fieldCount(r);
      if (!moved) {
        // as nvlist_next: at the record's last field the look ends there, the cursor unmoved
        if (this.#fields[r] + 1 >= n) return undefined;
        this.#fields[r]++;
        moved = true;
      }
      for (let f = this.#fields[r]; f < n; f++) {
        if (this.nameAt(r, f) === name) {
          this.#fields[r] = f;
          return this.rawAt(r, f);
        }
      }
      if (!this.nextRecord()) break;
      this.#fields[this.rec] = 0;
    }
    return undefined;
  }
}

const SCRIPT_HOSTS = ["/usr/bin/python", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/perl"];

/** Normalises one event like `auparse_normalize` (3.0.9). */
export function normalizeEvent(
  event: AuditEvent,
  withAttrs = false,
  escape: EscapeMode = "tty",
): NormalizedEvent {
  return new Normalizer(event, withAttrs, escape).run();
}

class Normalizer {
  readonly c: Cursor;
  readonly d: NormalizedEvent = {
    kind: "unknown",
    subjectAttrs: [],
    objectAttrs: [],
    objectKind: "unknown",
  };
  readonly attrs: boolean;
  readonly escape: EscapeMode;
  syscallSuccess = -1;

  constructor(event: AuditEvent, attrs: boolean, escape: EscapeMode) {
    this.c = new Cursor(event);
    this.attrs = attrs;
    this.escape = escape;
  }

  run(): NormalizedEvent {
    this.c.firstRecord();
    if (this.c.count > 1) this.compound();
    else this.simple();
    return this.d;
  }

  ref(): FieldRef {
    return this.c.here();
  }

  subjectWhat(): boolean {
    let uid: number | undefined;
    if (this.c.fieldType() === "uid") uid = this.c.int();
    else if (this.c.name() === "acct") uid = uidOfName(this.c.interpret(this.escape));
    if (uid === undefined) {
      // not a uid field, or an account the local database does not know
      this.d.subjectKind = "unknown-acct";
      return true;
    }
    uid = uid >>> 0;
    if (uid === 0) this.d.subjectKind = "privileged-acct";
    else if (uid === ACCT_UNSET) this.d.subjectKind = "unset-acct";
    else if (uid < 1000) this.d.subjectKind = "service-acct";
    else if (uid < 60000) this.d.subjectKind = "user-acct";
    else this.d.subjectKind = "unknown-acct";
    return false;
  }

  /**
   * Where libauparse records the field just found when the caller names
   * record `rnum` (its setters take the record from the caller and only the
   * field number from the cursor): a find that went on into a later record
   * then points at `rnum`'s field of that number, or at nothing when `rnum`
   * has no such field (it prints as nothing). Without `rnum`, the field found.
   */
  at(rnum?: number): FieldRef | undefined {
    const ref = this.location(rnum);
    return this.c.has(ref.record, ref.field) ? ref : undefined;
  }

  /** {@link at}, kept even when unreadable: lists of attributes keep such an entry, where printing stops. */
  location(rnum?: number): FieldRef {
    const here = this.ref();
    return rnum === undefined ? here : { record: rnum, field: here.field };
  }

  primeSubject(name: string, rnum?: number): boolean {
    if (this.c.find(name) === undefined) return true;
    this.d.subjectPrimary = this.at(rnum);
    return false;
  }

  secondarySubject(name: string, rnum?: number): boolean {
    if (this.c.find(name) === undefined) return true;
    this.d.subjectSecondary = this.at(rnum);
    return this.subjectWhat();
  }

  subjAttr(name: string, rnum: number): boolean {
    if (this.c.find(name) !== undefined) {
      this.d.subjectAttrs.push(this.location(rnum));
      return false;
    }
    this.c.gotoRecord(rnum);
    return true;
  }

  /**
   * set_prime_object: the object is the field found; `rnum` is the record
   * libauparse then records, which is not always the one it was found in
   * (the object then reads that record's field of the same number).
   */
  primeObject(name: string, rnum?: number): boolean {
    if (this.c.find(name) === undefined) return true;
    // a field that record does not have prints as nothing, as libauparse cannot go to it
    const ref = this.at(rnum);
    if (ref !== undefined) this.d.objectPrimary = ref;
    return false;
  }

  primeObject2(name: string, adjust: number): boolean {
    this.c.gotoRecord(2 + adjust);
    this.c.firstField();
    if (this.c.find(name) === undefined) return true;
    this.d.objectPrimary2 = this.at(2 + adjust);
    return false;
  }

  objAttr(name: string, rnum: number): boolean {
    if (this.c.find(name) !== undefined) {
      this.d.objectAttrs.push(this.location(rnum));
      return false;
    }
    this.c.gotoRecord(rnum);
    return true;
  }

  session(rnum?: number): boolean {
    if (this.c.find("ses") !== undefined) {
      this.d.session = this.at(rnum);
      return false;
    }
    this.c.firstRecord();
    return true;
  }

  results(): boolean {
    if (this.c.find("res") === undefined) return true;
    this.d.results = this.ref();
    return false;
  }

  syscallSubjAttrs(): void {
    this.c.firstRecord();
    do {
      const rnum = this.c.rec;
      if (this.c.type === T("SYSCALL")) {
        if (!this.attrs) {
          this.session(rnum);
          return;
        }
        for (
          const n of ["ppid", "pid", "gid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "tty"]
        ) {
          this.subjAttr(n, rnum);
        }
        this.session(rnum);
        this.subjAttr("subj", rnum);
        return;
      }
    } while (this.c.nextRecord());
  }

  /** Sets `how` from exe, or from comm for script interpreters. */
  howFromExe(): void {
    const exe = this.c.interpret(this.escape);
    this.d.how = exe;
    if (SCRIPT_HOSTS.some((p) => exe.startsWith(p))) {
      const fnum = this.c.field;
      let ok = false;
      if (fnum > 0) ok = this.c.gotoField(fnum - 1);
      if (!ok) this.c.firstRecord();
      if (this.c.find("comm") !== undefined) this.d.how = this.c.interpret(this.escape);
    }
  }

  pathAttrs(): void {
    const rnum = this.c.rec;
    this.c.firstField();
    if (this.objAttr("mode", rnum)) return;
    while (this.c.nextField()) this.d.objectAttrs.push(this.location(rnum));
  }

  simpleFileAttr(): void {
    if (!this.attrs) return;
    let parent = 0;
    this.c.firstRecord();
    do {
      const type = this.c.type;
      if (type === T("PATH")) {
        const f = this.c.find("nametype");
        if (f === "PARENT") {
          if (parent === 0) parent = this.c.rec;
          continue;
        }
        this.pathAttrs();
        return;
      } else if (type === T("CWD")) {
        this.objAttr("cwd", this.c.rec);
      } else if (type === T("SOCKADDR")) {
        this.objAttr("saddr", this.c.rec);
      }
    } while (this.c.nextRecord());
    if (parent) {
      this.c.gotoRecord(parent);
      this.pathAttrs();
    }
  }

  fileObject(adjust: number): void {
    let parent = 0;
    this.c.gotoRecord(2 + adjust);
    this.c.firstField();
    let f: string | undefined;
    do {
      f = this.c.find("nametype");
      if (f !== undefined) {
        if (f !== "PARENT") break;
        if (parent === 0) parent = this.c.rec;
      }
    } while (f !== undefined && this.c.nextRecord());
    if (f === undefined) {
      if (parent === 0) return;
      this.c.gotoRecord(parent);
      this.c.firstField();
    }
    const rnum = this.c.rec;
    if (rnum >= 0 && this.c.type === T("PATH")) {
      this.c.firstField();
      this.primeObject("name", rnum);
      if (this.c.find("inode") !== undefined) this.d.objectSecondary = this.at(rnum);
      const mode = this.c.find("mode");
      // as strtoul reads it (base 8): the octal digits it starts with
      const digits = mode === undefined ? undefined : /^\s*\+?([0-7]*)/.exec(mode)?.[1];
      if (digits !== undefined) {
        const fmt = parseInt(digits || "0", 8) & 0o170000;
        const kinds: Record<number, string> = {
          0o100000: "file",
          0o040000: "directory",
          0o020000: "character-device",
          0o060000: "block-device",
          0o010000: "fifo",
          0o120000: "symlink",
          0o140000: "socket",
        };
        if (kinds[fmt]) this.d.objectKind = kinds[fmt];
      }
    }
  }

  socketObject(): void {
    this.c.gotoRecord(1);
    this.c.firstField();
    this.primeObject("saddr", 1);
  }

  programObject(): void {
    this.c.firstRecord();
    const type = this.c.type;
    if (type === T("BPF")) {
      if (this.c.find("prog-id") !== undefined) this.d.objectPrimary = this.ref();
    } else if (type === T("EVENT_LISTENER")) {
      if (this.c.find("nl-mcgrp") !== undefined) this.d.objectPrimary = this.ref();
    } else if (this.c.find("exe") !== undefined) {
      const exe = this.c.interpret(this.escape);
      if (SCRIPT_HOSTS.some((p) => exe.startsWith(p))) {
        const fnum = this.c.field;
        if (fnum > 0) this.c.gotoField(fnum - 1);
        else this.c.firstRecord();
        this.c.find("comm");
      }
      this.d.objectPrimary = this.ref();
    }
  }

  obj2At(name: string): void {
    this.c.firstRecord();
    // libauparse records these as found in the first record
    if (this.c.find(name) !== undefined) this.d.objectPrimary2 = this.at(0);
  }

  idObj2(syscall: string): void {
    const limits: Record<string, number> = {
      setuid: 1,
      setreuid: 2,
      setresuid: 3,
      setgid: 1,
      setregid: 2,
      setresgid: 3,
    };
    const limit = limits[syscall];
    if (limit === undefined) return;
    this.c.firstRecord();
    if (this.c.find("a0") === undefined) return;
    // ids that are unset are passed over; when all are, or the record ends, there is none
    let cnt = 1;
    while (cnt <= limit) {
      if (this.c.interpret(this.escape) !== "unset") break;
      if (cnt === limit || !this.c.nextField()) return;
      cnt++;
    }
    this.d.objectPrimary2 = this.at(0);
  }

  syscall(syscall: string | undefined): void {
    const d = this.d;
    let objtype: SyscallClass | string | undefined;
    let tmpKind = "";
    let ttype = 0;
    this.c.firstRecord();
    for (let ok = true; ok; ok = this.c.nextRecord()) {
      ttype = this.c.type;
      const special: Record<number, string> = {
        [T("SELINUX_ERR")]: "mac_err",
        [T("NETFILTER_CFG")]: "iptables",
        [T("ANOM_PROMISCUOUS")]: "promisc",
        [T("KERN_MODULE")]: "ldmod",
        [T("MAC_POLICY_LOAD")]: "mac_load",
        [T("MAC_STATUS")]: "mac_enforce",
        [T("MAC_CONFIG_CHANGE")]: "mac_config",
        [T("TIME_INJOFFSET")]: "systime",
        [T("TIME_ADJNTPVAL")]: "systime",
        [T("BPF")]: "bpf",
        [T("EVENT_LISTENER")]: "listen",
      };
      if (ttype === T("AVC")) {
        tmpKind = "mac";
        break;
      }
      if (ttype === T("FANOTIFY")) {
        tmpKind = "av";
        break;
      }
      if (special[ttype]) {
        objtype = special[ttype];
        break;
      }
    }
    if (objtype === undefined && syscall !== undefined) objtype = SYSCALL_CLASSES.get(syscall);
    let act: string | undefined;
    const fileLike = (a: string, what: string, adjust: number) => {
      act = a;
      d.objectKind = what;
      this.fileObject(adjust);
      this.simpleFileAttr();
    };
    switch (objtype) {
      case "file":
        act = "opened-file";
        this.fileObject(0);
        d.objectKind = "file";
        this.simpleFileAttr();
        break;
      case "chattr":
        fileLike("changed-file-attributes-of", "file", syscall === "fsetxattr" ? -1 : 0);
        break;
      case "chperm":
        act = "changed-file-permissions-of";
        d.objectKind = "file";
        this.obj2At(syscall === "fchmodat" ? "a2" : "a1");
        this.fileObject(syscall === "fchmod" ? -1 : 0);
        this.simpleFileAttr();
        break;
      case "chown": {
        act = "changed-file-ownership-of";
        d.objectKind = "file";
        this.c.firstRecord();
        if (this.c.find(syscall === "fchownat" ? "a2" : "a1") !== undefined) {
          if (this.c.int() === -1) this.c.nextField();
          d.objectPrimary2 = this.at(0);
        }
        this.fileObject(syscall === "fchown" ? -1 : 0);
        this.simpleFileAttr();
        break;
      }
      case "ldmod":
        act = "loaded-kernel-module";
        d.objectKind = "file";
        this.c.gotoRecord(1);
        this.primeObject("name", 1);
        break;
      case "unldmod":
        act = "unloaded-kernel-module";
        d.objectKind = "file";
        break;
      case "dir":
        fileLike("created-directory", "file", 1);
        break;
      case "mount":
        act = "mounted";
        d.objectKind = "file-system";
        if (this.syscallSuccess === 1) this.primeObject2("name", 0);
        this.fileObject(this.syscallSuccess);
        this.pathAttrs();
        break;
      case "rename":
        act = "renamed";
        d.objectKind = "file";
        this.primeObject2("name", 4);
        this.fileObject(2);
        this.simpleFileAttr();
        break;
      case "stat":
        fileLike("checked-metadata-of", "file", 0);
        break;
      case "sysstat":
        fileLike("checked-filesystem-metadata-of", "file-system", 0);
        break;
      case "lnk":
        act = "symlinked";
        d.objectKind = "file";
        this.primeObject2("name", 0);
        this.fileObject(2);
        this.simpleFileAttr();
        break;
      case "umnt":
        fileLike("unmounted", "file-system", 0);
        break;
      case "del":
        fileLike("deleted", "file", 0);
        break;
      case "time":
        fileLike("changed-timestamp-of", "file", 0);
        break;
      case "exec":
        fileLike("executed", "file", 1);
        break;
      case "accept":
      case "bind":
      case "conn":
      case "recv":
      case "send":
        act = {
          accept: "accepted-connection-from",
          bind: "bound-socket",
          conn: "connected-to",
          recv: "received-from",
          send: "sent-to",
        }[objtype];
        d.objectKind = "socket";
        this.socketObject();
        break;
      case "pid":
        act = this.c.count > 2 ? "killed-list-of-pids" : "killed-pid";
        this.c.gotoRecord(1);
        this.c.firstField();
        if (this.c.find("saddr") !== undefined) d.objectPrimary = this.ref();
        d.objectKind = "process";
        break;
      case "mac_load":
        act = RECORD_ACTIONS.get(ttype);
        d.objectKind = "mac-config";
        break;
      case "mac_config":
      case "mac_enforce":
        act = RECORD_ACTIONS.get(ttype);
        if (this.c.find(objtype === "mac_config" ? "bool" : "enforcing") !== undefined) {
          d.objectPrimary = this.ref();
        }
        d.objectKind = "mac-config";
        break;
      case "mac_err":
        act = "caused-mac-policy-error";
        d.objectKind = "system";
        break;
      case "iptables":
        act = "loaded-firewall-rule-to";
        this.c.firstRecord();
        if (this.c.find("table") !== undefined) d.objectPrimary = this.ref();
        d.objectKind = "firewall";
        break;
      case "promisc":
        this.c.firstRecord();
        if (this.c.find("dev") !== undefined) d.objectPrimary = this.ref();
        if (this.c.find("prom") !== undefined) {
          act = this.c.int() === 0
            ? "left-promiscuous-mode-on-device"
            : "entered-promiscuous-mode-on-device";
        }
        d.objectKind = "socket";
        break;
      case "uid":
      case "gid":
        act = "changed-identity-of";
        d.objectKind = "process";
        this.programObject();
        if (d.how !== undefined && syscall !== undefined) d.how = syscall;
        this.idObj2(syscall ?? "");
        break;
      case "systime":
        act = "changed-system-time";
        d.objectKind = "system";
        break;
      case "mkdev":
        this.fileObject(0);
        this.simpleFileAttr();
        act = d.objectKind === "character-device"
          ? "made-character-device"
          : d.objectKind === "block-device"
          ? "made-block-device"
          : "make-device";
        break;
      case "sysname":
        act = "changed-system-name";
        d.objectKind = "system";
        break;
      case "memory":
        act = "allocated-memory";
        if (this.syscallSuccess === 1) {
          act = "allocated-memory-in";
          this.c.firstRecord();
          if (this.c.find("comm") !== undefined) d.objectPrimary = this.ref();
        }
        d.objectKind = "memory";
        break;
      case "sched":
        act = "adjusted-scheduling-policy-of";
        d.objectKind = "process";
        this.programObject();
        if (d.how !== undefined && syscall !== undefined) d.how = syscall;
        break;
      case "bpf":
      case "listen": {
        this.c.firstRecord();
        const op = this.c.find("op");
        if (objtype === "bpf") {
          act = op === undefined
            ? "bpf-program"
            : op === "LOAD"
            ? "loaded-bpf-program"
            : "unloaded-bpf-program";
          d.objectKind = "process";
        } else {
          act = op === undefined
            ? "connected"
            : op === "connect"
            ? "connected-to"
            : "disconnected-from";
          d.objectKind = "socket";
        }
        this.programObject();
        break;
      }
      default: {
        this.c.firstRecord();
        const k = this.c.find("key");
        if (k !== undefined && k !== "(null)") {
          act = "triggered-audit-rule";
          d.objectPrimary = this.ref();
        } else act = "triggered-unknown-audit-rule";
        d.objectKind = "admin-defined-rule";
      }
    }
    if (tmpKind === "mac") act = "accessed-mac-policy-controlled-object";
    else if (tmpKind === "av") act = "accessed-policy-controlled-file";
    if (act !== undefined) d.action = act;
  }

  compound(): void {
    const c = this.c;
    const otype = c.type;
    let type = otype;
    // every compound event has a SYSCALL record: without one it is not normalised
    while (type !== T("SYSCALL")) {
      if (!c.nextRecord()) {
        this.d.failed = true;
        return;
      }
      type = c.type;
    }
    this.d.kind = eventKind(otype);
    const recno = c.rec;
    let syscall: string | undefined;
    if (c.find("syscall") !== undefined) syscall = c.interpret(this.escape);
    const success = c.find("success");
    if (success !== undefined) {
      this.syscallSuccess = success === "no" ? 0 : 1;
      this.d.results = this.at(recno);
    } else {
      c.gotoRecord(recno);
      c.firstField();
    }
    if (this.primeSubject("auid", recno)) {
      c.gotoRecord(recno);
      c.firstField();
    }
    if (this.secondarySubject("uid", recno)) {
      c.gotoRecord(recno);
      c.firstField();
    }
    this.syscallSubjAttrs();
    c.firstField();
    if (c.find("exe") !== undefined) this.howFromExe();
    else {
      c.gotoRecord(recno);
      c.firstField();
    }
    const k = c.find("key");
    if (k !== undefined && k !== "(null)") this.d.key = this.at(recno);
    if (otype === T("ANOM_LINK")) {
      const act = RECORD_ACTIONS.get(otype);
      if (act) this.d.action = act;
    } else if (otype === T("CONFIG_CHANGE")) {
      // the action is op's value; the object a rule's key or the setting changed
      c.firstRecord();
      if (c.find("op") !== undefined) {
        const action = c.interpret(this.escape);
        this.d.action = action;
        const ref = this.simpleObject(otype);
        this.d.objectPrimary = ref;
        // a setting is named, not given its value (the object is in the first record, whose
        // type, CONFIG_CHANGE, is what ausearch checks)
        this.d.objectByName = ref !== undefined &&
          (action === "set" || action === "seccomp-logging");
      }
    } else this.syscall(syscall);
  }

  simpleObject(type: number): FieldRef | undefined {
    const c = this.c;
    const d = this.d;
    c.firstField();
    let f: string | undefined;
    const is = (...names: string[]) => names.some((n) => recordTypeNumber(n) === type);
    if (is("SERVICE_START", "SERVICE_STOP")) {
      f = c.find("unit");
      d.objectKind = "service";
    } else if (is("SYSTEM_RUNLEVEL")) {
      f = c.find("new-level");
      d.objectKind = "system";
    } else if (is("USER_ROLE_CHANGE")) {
      f = c.find("selected-context");
      d.objectKind = "user-session";
    } else if (
      is(
        "ROLE_ASSIGN",
        "ROLE_REMOVE",
        "USER_MGMT",
        "ACCT_LOCK",
        "ACCT_UNLOCK",
        "ADD_USER",
        "DEL_USER",
        "ADD_GROUP",
        "DEL_GROUP",
        "GRP_MGMT",
      )
    ) {
      f = c.find("id");
      if (f === undefined) {
        c.firstRecord();
        f = c.find("acct");
      }
      d.objectKind = "account";
    } else if (is("USER_START", "USER_END", "USER_ERR", "USER_LOGIN", "USER_LOGOUT")) {
      f = c.find("terminal");
      d.objectKind = "user-session";
    } else if (
      is(
        "USER_AUTH",
        "USER_ACCT",
        "CRED_ACQ",
        "CRED_REFR",
        "CRED_DISP",
        "USER_CHAUTHTOK",
        "GRP_CHAUTHTOK",
        "ANOM_LOGIN_FAILURES",
        "ANOM_LOGIN_TIME",
        "ANOM_LOGIN_SESSIONS",
        "ANOM_LOGIN_LOCATION",
      )
    ) {
      f = c.find("acct");
      d.objectKind = "user-session";
    } else if (is("ANOM_EXEC", "USER_CMD")) {
      f = c.find("cmd");
      d.objectKind = "process";
    } else if (is("USER_TTY", "TTY")) {
      c.firstRecord();
      f = c.find("data");
      d.objectKind = "keystrokes";
    } else if (is("USER_DEVICE")) {
      c.firstRecord();
      f = c.find("device");
      d.objectKind = "keystrokes";
    } else if (is("SOFTWARE_UPDATE")) {
      c.firstRecord();
      f = c.find("sw");
      d.objectKind = "software";
    } else if (is("VIRT_MACHINE_ID")) {
      f = c.find("vm");
      d.objectKind = "virtual-machine";
    } else if (is("VIRT_RESOURCE")) {
      f = c.find("resrc");
      d.objectKind = "virtual-machine";
    } else if (is("VIRT_CONTROL")) {
      f = c.find("op");
      d.objectKind = "virtual-machine";
    } else if (is("LABEL_LEVEL_CHANGE")) {
      f = c.find("printer");
      d.objectKind = "printer";
    } else if (is("CONFIG_CHANGE")) {
      // a rule's key, unless it is (null); else the setting changed (a failed look leaves
      // the cursor past the end, so nothing after it is found either)
      c.firstRecord();
      f = c.find("key");
      if (f === "(null)") f = undefined;
      for (
        const n of ["audit_enabled", "audit_pid", "audit_backlog_limit", "audit_failure", "actions"]
      ) {
        if (f !== undefined) break;
        c.firstRecord();
        f = c.find(n);
      }
      d.objectKind = "audit-config";
    } else if (is("MAC_CONFIG_CHANGE")) {
      f = c.find("bool");
      d.objectKind = "mac-config";
    } else if (is("MAC_STATUS")) {
      f = c.find("enforcing");
      d.objectKind = "mac-config";
    } else if (
      is("MAC_POLICY_LOAD", "LABEL_OVERRIDE") ||
      (type >= T("DEV_ALLOC") && type <= T("USER_MAC_CONFIG_CHANGE"))
    ) {
      d.objectKind = "mac-config";
    } else if (is("USER")) {
      f = c.find("addr");
    } else if (is("USYS_CONFIG")) {
      if (c.find("op") !== undefined) d.action = c.interpret(this.escape);
      d.objectKind = "system";
    } else if (is("CRYPTO_KEY_USER")) {
      f = c.find("fp");
      d.objectKind = "user-session";
    } else if (is("CRYPTO_SESSION")) {
      f = c.find("addr");
      d.objectKind = "user-session";
    } else if (is("ANOM_RBAC_INTEGRITY_FAIL")) {
      f = c.find("hostname");
      d.objectKind = "file-system";
    }
    // recorded in the first record (set_record(0, 0)), by the number of the field found
    return f === undefined ? undefined : this.at(0);
  }

  simpleField(type: number, pairs: [string, string][]): FieldRef | undefined {
    this.c.firstField();
    for (const [t, name] of pairs) {
      if (recordTypeNumber(t) === type) {
        return this.c.find(name) === undefined ? undefined : this.at(0);
      }
    }
    return undefined;
  }

  simpleSubjAttrs(): void {
    if (!this.attrs) return;
    this.c.firstRecord();
    this.subjAttr("pid", 0);
    this.subjAttr("subj", 0);
  }

  userspaceSubjAttrs(type: number): void {
    if (!this.attrs) return;
    this.subjAttr("hostname", 0);
    this.subjAttr("addr", 0);
    if (type !== T("USER_START") && type !== T("USER_END") && type !== T("USER_ERR")) {
      this.subjAttr("terminal", 0);
    }
  }

  simple(): void {
    const c = this.c;
    const d = this.d;
    const type = c.type;
    if (type === T("SYSCALL")) return this.compound();
    d.kind = eventKind(type);
    if (
      [
        T("CONFIG_CHANGE"),
        T("FEATURE_CHANGE"),
        T("SECCOMP"),
        T("ANOM_ABEND"),
        T("ANOM_PROMISCUOUS"),
      ]
        .includes(type)
    ) {
      this.primeSubject("auid");
      this.session();
      this.simpleSubjAttrs();
      let mapped = true;
      if (type === T("CONFIG_CHANGE")) {
        c.firstField();
        if (c.find("op") !== undefined) {
          let str = c.interpret(this.escape);
          if (str.startsWith('"')) str = str.slice(1);
          if (str.startsWith("add_rule")) {
            d.action = "added-audit-rule";
            d.objectPrimary = this.simpleObject(type);
            mapped = false;
          } else if (str.startsWith("remove_rule")) {
            d.action = "deleted-audit-rule";
            d.objectPrimary = this.simpleObject(type);
            mapped = false;
          }
        }
      }
      if (mapped) {
        const act = RECORD_ACTIONS.get(type);
        if (act) d.action = act;
        if (type === T("CONFIG_CHANGE")) d.objectPrimary = this.simpleObject(type);
        c.firstRecord();
      }
      if (type === T("FEATURE_CHANGE")) {
        c.firstField();
        if (this.secondarySubject("uid")) c.firstRecord();
        if (c.find("exe") !== undefined) d.how = c.interpret(this.escape);
        this.primeObject("feature");
        d.objectKind = "system";
      }
      if (type === T("SECCOMP")) {
        c.firstField();
        if (this.secondarySubject("uid")) c.firstRecord();
        if (c.find("exe") !== undefined) d.how = c.interpret(this.escape);
        if (this.primeObject("syscall")) c.firstRecord();
        d.objectKind = "process";
        if (c.find("code") !== undefined) d.results = this.ref();
        return;
      }
      if (type === T("ANOM_ABEND")) {
        c.firstField();
        if (this.secondarySubject("uid")) c.firstRecord();
        if (this.primeObject("exe")) c.firstRecord();
        d.objectKind = "process";
        if (c.find("sig") !== undefined) d.how = c.interpret(this.escape);
      }
      if (type === T("ANOM_PROMISCUOUS")) {
        c.firstField();
        this.primeObject("dev");
        this.secondarySubject("uid");
        d.objectKind = "socket";
      }
      this.results();
      return;
    }
    if (type === T("LOGIN")) {
      if (this.secondarySubject("uid")) c.firstRecord();
      this.simpleSubjAttrs();
      if (this.primeSubject("old-auid")) c.firstRecord();
      if (this.primeObject("auid")) c.firstRecord();
      d.objectKind = "user-session";
      this.session();
      this.results();
      d.action = RECORD_ACTIONS.get(type);
      return;
    }
    if (type === T("NETFILTER_CFG")) {
      this.simpleSubjAttrs();
      if (c.find("comm") !== undefined) d.how = c.interpret(this.escape);
      d.action = "loaded-firewall-rule-to";
      c.firstRecord();
      if (c.find("table") !== undefined) d.objectPrimary = this.ref();
      d.subjectKind = "system";
      d.objectKind = "firewall";
      return;
    }
    if (type === T("AVC")) {
      // an AVC without a syscall: the command is the how, the contexts subject and object
      if (c.find("comm") !== undefined) d.how = c.interpret(this.escape);
      else c.firstRecord();
      this.primeSubject("scontext");
      d.subjectKind = "unknown-acct";
      c.firstRecord();
      if (this.attrs) {
        this.primeObject("tcontext");
        c.firstRecord();
      }
      d.objectKind = "unknown";
      d.action = RECORD_ACTIONS.get(type);
      // the decision is the result
      c.firstRecord();
      if (c.find("seresult") !== undefined) d.results = this.ref();
      return;
    }
    if (type >= 1200 && type < 1299) {
      this.primeSubject("auid");
      if (this.secondarySubject("uid")) c.firstRecord();
      if (this.session()) c.firstRecord();
      this.simpleSubjAttrs();
      d.subjectKind = "auditd";
      d.action = RECORD_ACTIONS.get(type);
      d.objectKind = "service";
      if (type === T("DAEMON_START")) d.how = "init";
      else if (type < T("DAEMON_ACCEPT") && type !== T("DAEMON_ABORT")) d.how = "signal";
      this.results();
      return;
    }
    if (type === T("BPF")) {
      d.subjectKind = "system";
      c.firstRecord();
      const op = c.find("op");
      d.action = op === undefined
        ? "bpf-program"
        : op === "LOAD"
        ? "loaded-bpf-program"
        : "unloaded-bpf-program";
      d.objectKind = "process";
      this.programObject();
      return;
    }
    if (type === T("EVENT_LISTENER")) {
      this.primeSubject("auid");
      c.firstRecord();
      this.secondarySubject("uid");
      c.firstRecord();
      this.session();
      this.simpleSubjAttrs();
      c.firstRecord();
      const op = c.find("op");
      d.action = op === undefined
        ? "connected"
        : op === "connect"
        ? "connected-to"
        : "disconnected-from";
      d.objectKind = "socket";
      this.programObject();
      c.firstRecord();
      if (c.find("exe") !== undefined) d.how = c.interpret(this.escape);
      c.firstRecord();
      this.results();
      return;
    }
    if (type >= T("MAC_UNLBL_ALLOW") && type <= 1499) {
      this.primeSubject("auid");
      this.subjectWhat();
      this.session();
      this.subjAttr("subj", 0);
      let act: string | undefined;
      if (type === T("MAC_UNLBL_ALLOW")) {
        if (c.find("unlbl_accept") !== undefined) {
          act = c.int() === 1
            ? "is-allowing-unlabeled-network-traffic"
            : "is-disallowing-unlabeled-network-traffic";
        } else c.firstRecord();
      } else act = RECORD_ACTIONS.get(type);
      if (act) d.action = act;
      if (type === T("MAC_MAP_ADD") || type === T("MAC_MAP_DEL")) {
        if (this.primeObject("nlbl_domain")) c.firstRecord();
      }
      d.objectKind = "mac-config";
      this.results();
      return;
    }
    if (type === T("USER_LOGIN")) {
      if (this.primeSubject("id")) {
        c.firstRecord();
        if (!this.primeSubject("acct")) this.subjectWhat();
      } else this.subjectWhat();
      c.firstRecord();
    } else {
      if (this.secondarySubject("uid")) c.firstRecord();
      this.primeSubject("auid");
    }
    this.session();
    this.simpleSubjAttrs();
    if ((type >= 1100 && type < 1199) || (type >= 2100 && type < 2999)) {
      this.userspaceSubjAttrs(type);
    }
    const userAvc = type === T("USER_AVC");
    if (!userAvc) this.results();
    else {
      // the decision is the result; the contexts are subject and object
      c.firstRecord();
      if (c.find("seresult") !== undefined) d.results = this.ref();
      c.firstRecord();
      this.primeSubject("scontext");
      if (this.attrs) {
        c.firstRecord();
        this.primeObject("tcontext");
      }
    }
    let act: string | undefined;
    if (type === T("USER_DEVICE")) {
      c.firstRecord();
      act = c.find("op");
    }
    act ??= RECORD_ACTIONS.get(type);
    if (act !== undefined) d.action = act;
    if (!userAvc) {
      // from the first record: a failed look for the results may have left the cursor past the end
      c.firstRecord();
      d.objectPrimary = this.simpleObject(type);
      d.objectSecondary = this.simpleField(type, [["CRYPTO_SESSION", "rport"], [
        "SOFTWARE_UPDATE",
        "sw_type",
      ]]);
      d.objectPrimary2 = this.simpleField(type, [
        ["VIRT_CONTROL", "vm"],
        ["VIRT_RESOURCE", "vm"],
        ["SOFTWARE_UPDATE", "root_dir"],
      ]);
    }
    if (this.attrs && !userAvc) {
      if (type === T("USER_DEVICE")) this.objAttr("uuid", 0);
      else if (type === T("SOFTWARE_UPDATE")) {
        c.firstRecord();
        this.objAttr("key_enforce", 0);
        this.objAttr("gpg_res", 0);
      }
    }
    if (type === T("SYSTEM_BOOT")) d.objectKind = "system";
    else if (type === T("SYSTEM_SHUTDOWN")) d.objectKind = "service";
    c.firstRecord();
    if (type === T("ANOM_EXEC")) {
      if (c.find("terminal") !== undefined) d.how = c.interpret(this.escape);
      return;
    }
    if (type === T("TTY")) {
      if (c.find("comm") !== undefined) d.how = c.interpret(this.escape);
      return;
    }
    if (c.find("exe") !== undefined) this.howFromExe();
  }
}

function inRange(t: number, lo: string | number, hi: string | number): boolean {
  const a = typeof lo === "number" ? lo : T(lo);
  const b = typeof hi === "number" ? hi : T(hi);
  return t >= a && t <= b;
}

/** The event kind of a record type (`normalize_determine_evkind`). */
export function eventKind(type: number): string {
  const is = (...names: string[]) => names.some((n) => recordTypeNumber(n) === type);
  if (
    inRange(type, "USER_AUTH", "USER_ACCT") || inRange(type, "CRED_ACQ", "USER_END") ||
    inRange(type, "USER_CHAUTHTOK", "CRED_REFR") || inRange(type, "USER_LOGIN", "USER_LOGOUT") ||
    is("LOGIN")
  ) return "user-login";
  if (is("GRP_AUTH", "CHGRP_ID")) return "group-change";
  if (
    is("USER_MGMT") || inRange(type, "ADD_USER", "DEL_GROUP") ||
    inRange(type, "GRP_MGMT", "GRP_CHAUTHTOK") || inRange(type, "ACCT_LOCK", "ACCT_UNLOCK")
  ) return "user-account";
  if (is("KERNEL") || inRange(type, "SYSTEM_BOOT", "SERVICE_STOP")) return "system-services";
  if (
    is(
      "USYS_CONFIG",
      "CONFIG_CHANGE",
      "NETFILTER_CFG",
      "FEATURE_CHANGE",
      "TIME_INJOFFSET",
      "TIME_ADJNTPVAL",
      "USER_DEVICE",
      "SOFTWARE_UPDATE",
    )
  ) return "configuration";
  if (is("SECCOMP")) return "dac-decision";
  if (inRange(type, "TEST", "TRUSTED_APP") || is("USER_CMD", "CHUSER_ID")) return "user-space";
  if (is("USER_TTY", "TTY")) return "TTY";
  if (is("EVENT_LISTENER") || inRange(type, 1200, 1299)) return "audit-daemon";
  if (
    is("USER_SELINUX_ERR", "USER_AVC", "APPARMOR_ERROR") ||
    inRange(type, "APPARMOR_ALLOWED", "APPARMOR_DENIED") || inRange(type, "AVC", "AVC_PATH")
  ) return "mac-decision";
  if (inRange(type, 1800, 1899) || is("ANOM_RBAC_INTEGRITY_FAIL")) return "integrity";
  if (
    inRange(type, 1700, 1799) || inRange(type, 2100, "ANOM_RBAC_FAIL") ||
    inRange(type, "ANOM_CRYPTO_FAIL", 2199)
  ) return "anomaly";
  if (inRange(type, 2200, 2299)) return "anomaly-response";
  if (
    inRange(type, "MAC_POLICY_LOAD", 1499) || inRange(type, 1500, 1501) ||
    inRange(type, 1504, 1505) ||
    inRange(type, 2300, 2399)
  ) return "mac";
  if (inRange(type, 1600, 1699) || inRange(type, 2400, 2499)) return "crypto";
  if (inRange(type, 2500, 2599)) return "virt";
  if (
    inRange(type, "SYSCALL", "SOCKETCALL") || inRange(type, "SOCKADDR", "MQ_GETSETATTR") ||
    inRange(type, "FD_PAIR", "OBJ_PID") || inRange(type, "BPRM_FCAPS", "NETFILTER_PKT")
  ) return "audit-rule";
  if (is("FANOTIFY")) return "av-decision";
  if (is("BPF")) return "bpf-program";
  return "unknown";
}

/** Resolves `.` and `..` of an absolute path without looking at the file system (as ausearch 3.0.9 prints paths). */
function lexicalPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** Accessors the csv and text formats need on a normalised event. */
export class NormalizedView {
  readonly event: AuditEvent;
  readonly norm: NormalizedEvent;
  readonly #c: Cursor;
  readonly #escape: EscapeMode;

  constructor(event: AuditEvent, withAttrs: boolean, escape: EscapeMode) {
    this.event = event;
    this.norm = normalizeEvent(event, withAttrs, escape);
    this.#c = new Cursor(event);
    this.#escape = escape;
  }

  /** The raw value at a field. */
  raw(ref: FieldRef): string {
    return this.#c.rawAt(ref.record, ref.field);
  }

  /** The field's name. */
  name(ref: FieldRef): string {
    return this.#c.nameAt(ref.record, ref.field);
  }

  /** Whether the event has the field (libauparse can go to it). */
  has(ref: FieldRef): boolean {
    return this.#c.has(ref.record, ref.field);
  }

  /** The field's interpretation kind. */
  kind(ref: FieldRef): string {
    return this.#c.kindAt(ref.record, ref.field);
  }

  /** `auparse_interpret_field`. */
  interpret(ref: FieldRef): string {
    return this.#c.interpretAt(ref.record, ref.field, this.#escape);
  }

  /** `auparse_get_field_int`. */
  int(ref: FieldRef): number {
    return strtolInt(this.raw(ref));
  }

  /** `auparse_interpret_realpath`, or undefined when the field is no file name. */
  realpath(ref: FieldRef): string | undefined {
    if (this.kind(ref) !== "escaped_file") return undefined;
    const val = this.interpret(ref);
    const cwdRec = this.event.records.find((r) => r.type === T("CWD"));
    const cwdIdx = cwdRec?.indexOf("cwd") ?? -1;
    if (!cwdRec || cwdIdx < 0) return val;
    let full: string;
    if (!val.startsWith("/")) {
      full = `${interpretField(this.event, cwdRec, cwdIdx, this.#escape)}/${val}`;
    } else {
      if (!val.includes("..")) return val;
      full = val;
    }
    return lexicalPath(full);
  }

  /** A part of a socket address interpretation (`fam=`, `laddr=`), like auparse_interpret_sock_parts. */
  sockPart(ref: FieldRef, part: string): string | undefined {
    if (this.kind(ref) !== "sockaddr") return undefined;
    const val = this.interpret(ref);
    const i = val.indexOf(part);
    if (i < 0) return undefined;
    const rest = val.slice(i + part.length);
    const sp = rest.indexOf(" ");
    return sp < 0 ? rest : rest.slice(0, sp);
  }
}
