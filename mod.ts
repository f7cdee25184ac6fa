/**
 * auditkit: typed access to Linux kernel auditing from Deno.
 *
 * libaudit (libaudit.so.1) and libc are bound with `Deno.dlopen`, so the
 * program needs `--allow-ffi`. Importing this module needs no permission:
 * the libraries are opened on first use.
 *
 * @example
 * ```ts
 * import { auditctl, formatStatus, openAudit } from "./mod.ts";
 *
 * using audit = openAudit();
 * const status = await audit.status();
 * console.log(formatStatus(status)); // what `auditctl -s` prints
 *
 * const { auditon } = await auditctl("ASTATUS", { client: audit });
 * ```
 *
 * @module
 */

export {
  AuditClient,
  type AuditStatus,
  type LoginuidImmutable,
  openAudit,
  type SetEnabledOptions,
  type SetFailureOptions,
  type SignalInfo,
} from "./lib/client.ts";
export { type Actl, auditctl, type AuditctlCommand, type AuditctlOptions } from "./lib/auditctl.ts";
export { formatStatus, type FormatStatusOptions } from "./lib/status_format.ts";
export {
  type AuditCapability,
  AuditError,
  type AuditErrorInit,
  AuditLibraryError,
} from "./lib/errors.ts";
export { errnoMessage, errnoName, errnoNumber } from "./lib/errno.ts";
export {
  AUD_NPARAM,
  audgen,
  AUDGEN_TOKEN_TYPES,
  type AudgenArgument,
  type AudgenOptions,
  type AudgenRecord,
  type AudgenResult,
  type AudgenTokenType,
  formatAudgen,
} from "./lib/kernel_write/audgen.ts";
export {
  type AcctMessageOptions,
  formatUserMessage,
  logAcctMessage,
  logUserAvcMessage,
  logUserCommand,
  logUserCommMessage,
  logUserMessage,
  type RecordOutcome,
  type UserAvcMessageOptions,
  type UserCommandOptions,
  type UserCommMessageOptions,
  type UserMessage,
  type UserOrigin,
  type UserRecordOptions,
  type WrittenRecord,
} from "./lib/kernel_write/user_message.ts";
export {
  AUDIT_MESSAGE_TEXT_MAX,
  type Generation,
  isUserMessageType,
  resolveUserMessageType,
  type UserMessageType,
  type VerifyOptions,
} from "./lib/kernel_write/types.ts";
export { encodeValue, needsEncoding } from "./lib/kernel_write/encode.ts";
export {
  type UserTextOptions,
  type UserTextResult,
  writeUserText,
} from "./lib/kernel_write/user_text.ts";
export {
  type AuditMessage,
  AuditMulticastSource,
  type MulticastOptions,
  openMulticast,
  parseAuditMessage,
} from "./lib/source/multicast.ts";
export {
  LIVE_READ_BUFFER,
  LIVE_RECEIVE_BUFFER,
  type LiveItem,
  type LiveMode,
  type LiveOptions,
  type LiveStream,
  type LossCause,
  type LossCounters,
  type LossItem,
  openLive,
  type QueuePolicy,
  SerialGaps,
} from "./lib/source/live.ts";
export {
  LineFile,
  type LineFileOptions,
  type LineFileRepair,
  openLineFile,
  rotatedName,
  type RotateOptions,
} from "./lib/sink/line_file.ts";
export type {
  AuditRule,
  KernelRule,
  KernelRuleField,
  ParsedCommand,
  RuleAction,
  RuleCommand,
  RuleComparison,
  RuleField,
  RuleList,
  RuleOperator,
  RuleSetting,
  RuleStep,
} from "./lib/rules/types.ts";
export { quoteExcerpt, RuleError, type RuleErrorInit } from "./lib/rules/rule_error.ts";
export {
  formatCommand,
  parseArgs,
  type ParseResult,
  parseRule,
  splitRuleLine,
} from "./lib/rules/parse.ts";
export { buildRule, type BuildRuleOptions, type BuiltRule } from "./lib/rules/build.ts";
export { decodeRule, ruleIdentity } from "./lib/rules/decode.ts";
export {
  formatRule,
  type FormatRuleOptions,
  formatRules,
  type FormatRulesOptions,
  isWatchRule,
} from "./lib/rules/format.ts";
export {
  addRule,
  type AddRuleOptions,
  auditctlKernelMessage,
  deleteAllRules,
  type DeleteAllRulesOptions,
  deleteRule,
  listRules,
  type RuleInput,
} from "./lib/rules/kernel.ts";
export {
  type CheckedRuleFile,
  checkRuleFile,
  loadRules,
  type LoadRulesResult,
  MAX_RULE_LINE,
  readRuleFile,
  type ReadRuleFileOptions,
  readRuleLines,
  refusalOf,
  REFUSED_REASON,
  type RefusedKind,
  RuleFileError,
  type RuleFileLine,
  type RuleFileOptions,
  ruleFilePlan,
  type RuleFileProblem,
  type RuleFileWarning,
} from "./lib/rules/load.ts";
export {
  checkRuleLines,
  checkRules,
  type CheckRulesOptions,
  type RuleFinding,
  type RuleFindingCode,
} from "./lib/rules/check.ts";
// the log reader (records, events, sources), also importable alone
export * from "./events.ts";
export {
  type EscapeMode,
  eventContext,
  type FieldKind,
  fieldKind,
  type InterpretContext,
  interpretField,
  interpretValue,
} from "./lib/interpret/interpret.ts";
export {
  HOST_MACHINE,
  loadTables,
  machineNumber,
  syscallName,
  syscallNumber,
  type TableSource,
  tableSource,
  useBuiltinTables,
} from "./lib/interpret/tables.ts";
export {
  eventToJson,
  formatJson,
  type JsonEvent,
  jsonEventId,
  JsonLinesEncoder,
  type JsonRecord,
  jsonText,
} from "./lib/format/json.ts";
export { formatRaw } from "./lib/format/raw.ts";
export { formatDefault } from "./lib/format/default.ts";
export { formatInterpreted } from "./lib/format/interpreted.ts";
export { formatText } from "./lib/format/text.ts";
export {
  formatEvent,
  FORMATS,
  isOutputFormat,
  type OutputFormat,
  type SearchFormat,
} from "./lib/format/formats.ts";
export type { EventFormatter, FormatOptions, FormatWriter } from "./lib/format/formatter.ts";
export {
  type AvcDecision,
  criteriaFlags,
  matchEvent,
  parseSearchTime,
  type SearchCriteria,
  type SearchItems,
  searchItems,
} from "./lib/select/criteria.ts";
export {
  ausearchKeeps,
  type ExtractFlags,
  extractItems,
  loadsOwnNames,
  NO_FLAGS,
  reportFlags,
} from "./lib/select/extract.ts";
export {
  type Checkpoint,
  type CheckpointDecision,
  CheckpointError,
  type CheckpointEvent,
  CheckpointFilter,
  formatCheckpoint,
  parseCheckpoint,
  resumeFiles,
} from "./lib/source/checkpoint.ts";
export {
  Report,
  type ReportKind,
  type ReportOptions,
  type ReportPart,
} from "./lib/report/report.ts";
export { readReport, type ReportReadOptions, type ReportReadResult } from "./lib/report/session.ts";
export { type MoreReportKind } from "./lib/report/more.ts";
export { csvHeader, type CsvOptions, formatCsv } from "./lib/format/csv.ts";
export { namesLeftAfter } from "./lib/select/carried_names.ts";
export {
  type CheckpointOptions,
  type SearchChunk,
  searchChunks,
  searchLog,
  type SearchOptions,
  type SearchOutput,
  type SearchResult,
  stampError,
} from "./lib/select/session.ts";
export { EventSelection, type SelectionOptions } from "./lib/select/selection.ts";
export {
  eventKind,
  type FieldRef,
  type NormalizedEvent,
  normalizeEvent,
} from "./lib/interpret/normalize.ts";
export {
  type Arg32Token,
  type Arg64Token,
  type ArgUuidToken,
  AT_IPC,
  type Attr32Token,
  type Attr64Token,
  AU_IPv4,
  AU_IPv6,
  AUDIT_HEADER_VERSION,
  AUDIT_POLICY,
  AUP,
  AUR,
  AUR_SIZE,
  AUT,
  AUT_TRAILER_MAGIC,
  BSM_LIMITS,
  type BsmHeaderFields,
  type BsmHeaderToken,
  type BsmIds,
  type BsmRecord,
  type BsmToken,
  type BsmTokenType,
  type DataToken,
  type ExecToken,
  type ExitToken,
  type FileToken,
  type Header32ExToken,
  type Header32Token,
  type Header64ExToken,
  type Header64Token,
  type InAddrExToken,
  type InAddrToken,
  type IpcPermToken,
  type IpcToken,
  type IportToken,
  type IpToken,
  type NewgroupsToken,
  type OpaqueToken,
  PAD,
  type PathToken,
  type PrivsetToken,
  type Return32Token,
  type Return64Token,
  type RetUuidToken,
  type SeqToken,
  type SocketExToken,
  type SocketToken,
  type SockInet128Token,
  type SockInet32Token,
  type SockUnixToken,
  type Subject32ExToken,
  type Subject32Token,
  type Subject64ExToken,
  type Subject64Token,
  type TextToken,
  TOKEN_IDS,
  tokenId,
  type TrailerToken,
  type UnknownToken,
  type UprivToken,
  type ZonenameToken,
} from "./lib/bsm/types.ts";
export { BsmError, type BsmErrorKind } from "./lib/bsm/error.ts";
export { bsmText, type DecodedToken, decodeToken } from "./lib/bsm/decode.ts";
export {
  auToArg32,
  auToArg64,
  auToArgUuid,
  auToAttr32,
  auToAttr64,
  auToData,
  auToExecArgs,
  auToExecEnv,
  auToExit,
  auToFile,
  auToGroups,
  auToHeader32,
  auToHeader32Ex,
  auToHeader64,
  auToHeader64Ex,
  auToInAddr,
  auToInAddrEx,
  auToIp,
  auToIpc,
  auToIpcPerm,
  auToIport,
  auToNewgroups,
  auToOpaque,
  auToPath,
  auToPrivset,
  auToProcess32,
  auToProcess32Ex,
  auToProcess64,
  auToProcess64Ex,
  auToReturn32,
  auToReturn64,
  auToReturnUuid,
  auToSeq,
  auToSocketEx,
  auToSockInet128,
  auToSockInet32,
  auToSockUnix,
  auToSubject32,
  auToSubject32Ex,
  auToSubject64,
  auToSubject64Ex,
  auToText,
  auToTrailer,
  auToUpriv,
  auToZonename,
  bsmNow,
  type BsmString,
  type BsmTime,
  encodeToken,
  type HeaderExOptions,
  type HeaderOptions,
  type IpcPermInit,
  LINUX_SOCKET,
  type SocketEnd,
  type SubjectInit,
  type VnodeInfo,
} from "./lib/bsm/encode.ts";
export {
  AU_TO_NO_WRITE,
  AU_TO_WRITE,
  auClose,
  auCloseBuffer,
  type AuCloseBufferOptions,
  type AuCloseOptions,
  type AuCloseSinkOptions,
  auCloseToken,
  auOpen,
  AuRecordTable,
  auWrite,
  type BsmSink,
  type BsmTimeUnit,
  MAX_AUDIT_RECORDS,
} from "./lib/bsm/au.ts";
export {
  AUDIT_CLASS_FILE,
  AUDIT_EVENT_FILE,
  type AuditClassEntry,
  AuditClassTable,
  type AuditEventEntry,
  AuditEventTable,
  type AuditMask,
  builtinClassTable,
  builtinEventTable,
  loadClassTable,
  loadEventTable,
  parseAuditClass,
  parseAuditEvent,
  type TableFiles,
} from "./lib/bsm/event_table.ts";
export { bsmReturnText, bsmToErrno } from "./lib/bsm/bsm_errno.ts";
export {
  type AccountDatabase,
  accountDatabase,
  type AccountFiles,
  type AccountSource,
  gidOfName,
  groupName,
  localAccounts,
  parseAccounts,
  uidOfName,
  useAccountDatabase,
  userName,
} from "./lib/accounts.ts";
export {
  ECS_VERSION,
  ecsBadLine,
  type EcsDocument,
  type EcsEntity,
  ecsEvent,
  type EcsOptions,
  type EcsUser,
  type EcsUserIds,
} from "./lib/ecs/ecs.ts";
export {
  type Address,
  type CoalescedEvent,
  coalesceEvent,
  type EntityData,
  eventCategory,
  type FileInfo,
} from "./lib/ecs/coalesce.ts";
export {
  praudit,
  PrauditFormatter,
  type PrauditOptions,
  type PrauditReadOptions,
} from "./lib/bsm/praudit.ts";
export {
  type BsmSource,
  isHeaderId,
  parseBsmRecords,
  parsePrauditRecords,
  type PrauditRecord,
  type PrauditRulesOptions,
  type ReadBsmOptions,
  readBsmRecords,
  readPrauditRecords,
} from "./lib/bsm/reader.ts";
export {
  type FilePattern,
  parseFilePatterns,
  parseReduceDate,
  RecordSelector,
  type SelectCriteria,
} from "./lib/bsm/select.ts";
export { BsmTrailWriter, type FsyncPolicy, type TrailWriterOptions } from "./lib/bsm/trail.ts";
export { currentSubject, parseTokenSpec, TOKEN_SPEC_TYPES } from "./lib/bsm/token_spec.ts";
export {
  BsmKernelSink,
  type BsmKernelSinkOptions,
  bsmKernelText,
  type BsmKernelTextOptions,
} from "./lib/bsm/kernel_sink.ts";
export {
  type BsmEventInfo,
  type BsmRecordJson,
  eventLookup,
  type HexJson,
  recordFromJson,
  type RecordJsonOptions,
  recordToJson,
  type TokenFieldJson,
  tokenFromJson,
  type TokenJson,
  tokenToJson,
} from "./lib/bsm/json.ts";
