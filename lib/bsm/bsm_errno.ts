/**
 * BSM error numbers (the status byte of return tokens) and their meaning on
 * Linux: OpenBSM's `au_bsm_to_errno` table (`libbsm/bsm_errno.c`,
 * `sys/bsm/audit_errno.h`) resolved against Linux's errno values, and the
 * text praudit prints for a status (`print_retval` in `libbsm/bsm_io.c`)
 * with glibc's `strerror`.
 *
 * BSM numbers without a Linux errno (`EINTEGRITY`, FreeBSD's RPC errors,
 * Darwin's Mach-O errors, ...) and numbers missing from OpenBSM's table
 * (`ENODATA` 61, `ETIME` 62, `ENOSR` 63, `ENETUNREACH` 128, `EQFULL` 152,
 * `BSM_ERRNO_UNKNOWN` 250) have no local mapping: praudit prints them as
 * unknown errors.
 *
 * @example
 * ```ts
 * import { bsmReturnText } from "./bsm_errno.ts";
 * bsmReturnText(2); // "failure : No such file or directory"
 * ```
 *
 * @module
 */

import { errnoMessage } from "../errno.ts";

/** `[BSM errno, Linux errno]` in the order of OpenBSM's table; the first match wins. */
// deno-fmt-ignore
const BSM_TO_LINUX: readonly (readonly [number, number])[] = [
  [0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7], [8, 8], [9, 9],
  [10, 10], [11, 11], [12, 12], [13, 13], [14, 14], [15, 15], [16, 16], [17, 17],
  [18, 18], [19, 19], [20, 20], [21, 21], [22, 22], [23, 23], [24, 24], [25, 25],
  [26, 26], [27, 27], [28, 28], [29, 29], [30, 30], [31, 31], [32, 32], [33, 33],
  [34, 34], [35, 42], [36, 43], [37, 44], [38, 45], [39, 46], [40, 47], [41, 48],
  [42, 49], [43, 50], [44, 51], [45, 35], [46, 37], [47, 125], [48, 95], [49, 122],
  [50, 52], [51, 53], [52, 54], [53, 55], [54, 56], [55, 57], [56, 35], [57, 59],
  [58, 130], [59, 131], [60, 60], [64, 64], [65, 65], [66, 66], [67, 67], [68, 68],
  [69, 69], [70, 70], [71, 71], [74, 72], [77, 74], [78, 36], [79, 75], [80, 76],
  [81, 77], [82, 78], [83, 79], [84, 80], [85, 81], [86, 82], [87, 83], [88, 84],
  [89, 38], [90, 40], [91, 85], [92, 86], [93, 39], [94, 87], [95, 88], [96, 89],
  [97, 90], [98, 91], [99, 92], [120, 93], [121, 94], [122, 95], [123, 96], [124, 97],
  [125, 98], [126, 99], [127, 100], [129, 102], [130, 103], [131, 104], [132, 105],
  [133, 106], [134, 107], [143, 108], [144, 109], [145, 110], [146, 111], [147, 112],
  [148, 113], [149, 114], [150, 115], [151, 116], [211, 73], [212, 117], [213, 118],
  [214, 119], [215, 120], [216, 121], [217, 123], [218, 124], [219, 126], [220, 127],
  [221, 128], [222, 129],
];

const toLinux = new Map<number, number>();
for (const [bsm, linux] of BSM_TO_LINUX) if (!toLinux.has(bsm)) toLinux.set(bsm, linux);

/**
 * The Linux errno of BSM error number `bsm` (`au_bsm_to_errno`), undefined
 * when OpenBSM has no local mapping for it.
 *
 * @example
 * ```ts
 * import { bsmToErrno } from "./bsm_errno.ts";
 * bsmToErrno(45); // 35, EDEADLK on Linux
 * bsmToErrno(190); // undefined (EPROCLIM)
 * ```
 */
export function bsmToErrno(bsm: number): number | undefined {
  return toLinux.get(bsm);
}

/**
 * What praudit prints for a return token's status byte outside raw mode:
 * `success`, `failure : <strerror>` or `failure: Unknown error: <n>`.
 *
 * @example
 * ```ts
 * import { bsmReturnText } from "./bsm_errno.ts";
 * bsmReturnText(0); // "success"
 * bsmReturnText(255); // "failure: Unknown error: 255"
 * ```
 */
export function bsmReturnText(status: number): string {
  const errno = toLinux.get(status);
  if (errno === undefined) return `failure: Unknown error: ${status}`;
  return errno === 0 ? "success" : `failure : ${errnoMessage(errno)}`;
}
