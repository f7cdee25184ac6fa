/**
 * Symbol table of libaudit.so.1 (audit-userspace 3.0.x and 4.x).
 *
 * Each entry mirrors its C prototype. Symbols that are private, or that differ
 * between 3.0.x and 4.x, are `optional: true` and resolve to `null` when the
 * installed library lacks them; callers check for `null`.
 *
 * The library path can be overridden with `AUDITKIT_LIBAUDIT`.
 *
 * @module
 */

import { lazyLibrary } from "./_load.ts";

const int = "i32" as const;
const uint = "u32" as const;
const uid_t = "u32" as const;
const uint32_t = "u32" as const;
const cstring = "buffer" as const; // const char *, NUL-terminated Uint8Array
const charp_out = "pointer" as const; // returned char * (may be NULL)
const ptr = "pointer" as const; // struct x *
const buf = "buffer" as const; // caller-owned memory (struct x *, struct x **)

/** The libaudit symbols auditkit binds. */
export const libauditSymbols = {
  // --- socket and transport ---
  /** int audit_open(void); */
  audit_open: { parameters: [], result: int },
  /** void audit_close(int fd); */
  audit_close: { parameters: [int], result: "void" },
  /** int audit_get_reply(int fd, struct audit_reply *rep, reply_t block, int peek); */
  audit_get_reply: { parameters: [int, buf, int, int], result: int },
  /** int audit_send(int fd, int type, const void *data, unsigned int size); (private) */
  audit_send: { parameters: [int, int, buf, uint], result: int, optional: true },

  // --- status and configuration ---
  /** int audit_request_status(int fd); */
  audit_request_status: { parameters: [int], result: int },
  /**
   * int audit_request_status(int fd); on a worker thread: the kernel holds
   * the sender of any audit message for up to backlog_wait_time while its
   * backlog is over the limit. The result is -errno itself (libaudit's).
   */
  audit_request_status_off_thread: {
    name: "audit_request_status",
    parameters: [int],
    result: int,
    nonblocking: true,
  },
  /** int audit_is_enabled(int fd); */
  audit_is_enabled: { parameters: [int], result: int },
  /** int audit_set_enabled(int fd, uint32_t enabled); */
  audit_set_enabled: { parameters: [int, uint32_t], result: int },
  /** int audit_set_failure(int fd, uint32_t failure); */
  audit_set_failure: { parameters: [int, uint32_t], result: int },
  /** int audit_set_pid(int fd, uint32_t pid, rep_wait_t wmode); */
  audit_set_pid: { parameters: [int, uint32_t, int], result: int },
  /** int audit_set_rate_limit(int fd, uint32_t limit); */
  audit_set_rate_limit: { parameters: [int, uint32_t], result: int },
  /** int audit_set_backlog_limit(int fd, uint32_t limit); */
  audit_set_backlog_limit: { parameters: [int, uint32_t], result: int },
  /** int audit_set_backlog_wait_time(int fd, uint32_t bwt); */
  audit_set_backlog_wait_time: { parameters: [int, uint32_t], result: int, optional: true },
  /** int audit_reset_lost(int fd); */
  audit_reset_lost: { parameters: [int], result: int, optional: true },
  /** int audit_reset_backlog_wait_time_actual(int fd); */
  audit_reset_backlog_wait_time_actual: { parameters: [int], result: int, optional: true },
  /** int audit_set_loginuid_immutable(int fd); */
  audit_set_loginuid_immutable: { parameters: [int], result: int, optional: true },
  /** int audit_request_features(int fd); */
  audit_request_features: { parameters: [int], result: int, optional: true },
  /** int audit_request_signal_info(int fd); */
  audit_request_signal_info: { parameters: [int], result: int, optional: true },

  // --- process identity and machine ---
  /** uid_t audit_getloginuid(void); */
  audit_getloginuid: { parameters: [], result: uid_t },
  /** uint32_t audit_get_session(void); */
  audit_get_session: { parameters: [], result: uint32_t },
  /** int audit_detect_machine(void); */
  audit_detect_machine: { parameters: [], result: int },
  /** int audit_determine_machine(const char *arch); */
  audit_determine_machine: { parameters: [cstring], result: int },

  // --- capabilities ---
  /** int audit_can_control(void); */
  audit_can_control: { parameters: [], result: int, optional: true },
  /** int audit_can_write(void); */
  audit_can_write: { parameters: [], result: int, optional: true },
  /** int audit_can_read(void); */
  audit_can_read: { parameters: [], result: int, optional: true },

  // --- rules and watches ---
  /** struct audit_rule_data *audit_rule_create_data(void); */
  audit_rule_create_data: { parameters: [], result: ptr },
  /** void audit_rule_free_data(struct audit_rule_data *rule); */
  audit_rule_free_data: { parameters: [ptr], result: "void" },
  /** int audit_rule_syscallbyname_data(struct audit_rule_data *rule, const char *scall); */
  audit_rule_syscallbyname_data: { parameters: [ptr, cstring], result: int },
  /** int audit_rule_fieldpair_data(struct audit_rule_data **rulep, const char *pair, int flags); */
  audit_rule_fieldpair_data: { parameters: [buf, cstring, int], result: int },
  /** int audit_rule_interfield_comp_data(struct audit_rule_data **rulep, const char *pair, int flags); */
  audit_rule_interfield_comp_data: { parameters: [buf, cstring, int], result: int },
  /** int audit_add_rule_data(int fd, struct audit_rule_data *rule, int flags, int action); */
  audit_add_rule_data: { parameters: [int, ptr, int, int], result: int },
  /** int audit_delete_rule_data(int fd, struct audit_rule_data *rule, int flags, int action); */
  audit_delete_rule_data: { parameters: [int, ptr, int, int], result: int },
  /** int audit_request_rules_list_data(int fd); */
  audit_request_rules_list_data: { parameters: [int], result: int },
  /** int audit_add_watch_dir(int type, struct audit_rule_data **rulep, const char *path); */
  audit_add_watch_dir: { parameters: [int, buf, cstring], result: int },
  /** int audit_update_watch_perms(struct audit_rule_data *rule, int perms); */
  audit_update_watch_perms: { parameters: [ptr, int], result: int },

  // --- user-space records ---
  /** int audit_log_user_message(int fd, int type, const char *message, const char *hostname, const char *addr, const char *tty, int result); */
  audit_log_user_message: {
    parameters: [int, int, cstring, cstring, cstring, cstring, int],
    result: int,
  },
  /** int audit_log_user_comm_message(int fd, int type, const char *message, const char *comm, const char *hostname, const char *addr, const char *tty, int result); */
  audit_log_user_comm_message: {
    parameters: [int, int, cstring, cstring, cstring, cstring, cstring, int],
    result: int,
  },
  /** int audit_log_acct_message(int fd, int type, const char *pgname, const char *op, const char *name, unsigned int id, const char *host, const char *addr, const char *tty, int result); */
  audit_log_acct_message: {
    parameters: [int, int, cstring, cstring, cstring, uint, cstring, cstring, cstring, int],
    result: int,
  },
  /** int audit_log_user_avc_message(int fd, int type, const char *message, const char *hostname, const char *addr, const char *tty, uid_t uid); */
  audit_log_user_avc_message: {
    parameters: [int, int, cstring, cstring, cstring, cstring, uid_t],
    result: int,
  },
  /** int audit_log_user_command(int fd, int type, const char *command, const char *tty, int result); */
  audit_log_user_command: { parameters: [int, int, cstring, cstring, int], result: int },

  // --- lookup tables ---
  /** int audit_name_to_field(const char *field); */
  audit_name_to_field: { parameters: [cstring], result: int },
  /** const char *audit_field_to_name(int field); */
  audit_field_to_name: { parameters: [int], result: charp_out },
  /** int audit_name_to_syscall(const char *sc, int machine); */
  audit_name_to_syscall: { parameters: [cstring, int], result: int },
  /** const char *audit_syscall_to_name(int sc, int machine); */
  audit_syscall_to_name: { parameters: [int, int], result: charp_out },
  /** int audit_name_to_flag(const char *flag); */
  audit_name_to_flag: { parameters: [cstring], result: int },
  /** const char *audit_flag_to_name(int flag); */
  audit_flag_to_name: { parameters: [int], result: charp_out },
  /** int audit_name_to_action(const char *action); */
  audit_name_to_action: { parameters: [cstring], result: int },
  /** const char *audit_action_to_name(int action); */
  audit_action_to_name: { parameters: [int], result: charp_out },
  /** int audit_name_to_msg_type(const char *msg_type); */
  audit_name_to_msg_type: { parameters: [cstring], result: int },
  /** const char *audit_msg_type_to_name(int msg_type); */
  audit_msg_type_to_name: { parameters: [int], result: charp_out },
  /** int audit_name_to_machine(const char *machine); */
  audit_name_to_machine: { parameters: [cstring], result: int },
  /** const char *audit_machine_to_name(int machine); */
  audit_machine_to_name: { parameters: [int], result: charp_out },
  /** unsigned int audit_machine_to_elf(int machine); */
  audit_machine_to_elf: { parameters: [int], result: uint },
  /** int audit_elf_to_machine(unsigned int elf); */
  audit_elf_to_machine: { parameters: [uint], result: int },
  /** const char *audit_operator_to_symbol(int op); */
  audit_operator_to_symbol: { parameters: [int], result: charp_out },
  /** int audit_name_to_errno(const char *error); */
  audit_name_to_errno: { parameters: [cstring], result: int },
  /** const char *audit_errno_to_name(int error); */
  audit_errno_to_name: { parameters: [int], result: charp_out },
  /** int audit_name_to_ftype(const char *name); */
  audit_name_to_ftype: { parameters: [cstring], result: int },
  /** const char *audit_ftype_to_name(int ftype); */
  audit_ftype_to_name: { parameters: [int], result: charp_out },
  /** int audit_name_to_fstype(const char *name); */
  audit_name_to_fstype: { parameters: [cstring], result: int, optional: true },
  /** const char *audit_fstype_to_name(int fstype); */
  audit_fstype_to_name: { parameters: [int], result: charp_out, optional: true },

  // --- encoding ---
  /** int audit_value_needs_encoding(const char *str, unsigned int size); */
  audit_value_needs_encoding: { parameters: [cstring, uint], result: int },
  /** char *audit_encode_value(char *final, const char *buf, unsigned int size); */
  audit_encode_value: { parameters: [buf, cstring, uint], result: charp_out },
  /** char *audit_encode_nv_string(const char *name, const char *value, unsigned int vlen); (malloc'd) */
  audit_encode_nv_string: { parameters: [cstring, cstring, uint], result: charp_out },

  // --- diagnostics ---
  /** void set_aumessage_mode(message_t mode, debug_message_t debug); */
  set_aumessage_mode: { parameters: [int, int], result: "void", optional: true },

  // --- process-global rule-parser state (data symbols: the address of each) ---
  /** unsigned int _audit_elf; */
  _audit_elf: { type: "pointer", optional: true },
  /** int _audit_syscalladded; */
  _audit_syscalladded: { type: "pointer", optional: true },
  /** int _audit_permadded; */
  _audit_permadded: { type: "pointer", optional: true },
  /** int _audit_exeadded; */
  _audit_exeadded: { type: "pointer", optional: true },
  /** int _audit_filterfsadded; */
  _audit_filterfsadded: { type: "pointer", optional: true },
  /** int _audit_archadded; */
  _audit_archadded: { type: "pointer", optional: true },
} as const;

/** The opened libaudit library type. */
export type Libaudit = Deno.DynamicLibrary<typeof libauditSymbols>;

/** libaudit, opened on first use from `AUDITKIT_LIBAUDIT` or `libaudit.so.1`. */
export const libaudit = lazyLibrary("libaudit.so.1", "AUDITKIT_LIBAUDIT", libauditSymbols);

/**
 * The three lookup functions log interpretation reads its tables from: a
 * handle with only them opens in a fraction of the time the whole table
 * takes (Deno makes a binding per symbol).
 */
export const libauditTableSymbols = {
  audit_syscall_to_name: libauditSymbols.audit_syscall_to_name,
  audit_flag_to_name: libauditSymbols.audit_flag_to_name,
  audit_elf_to_machine: libauditSymbols.audit_elf_to_machine,
} as const;

/** The opened table-only libaudit handle type. */
export type LibauditTables = Deno.DynamicLibrary<typeof libauditTableSymbols>;

/** libaudit's table functions alone, opened on first use (same path as {@link libaudit}). */
export const libauditTables = lazyLibrary(
  "libaudit.so.1",
  "AUDITKIT_LIBAUDIT",
  libauditTableSymbols,
);
