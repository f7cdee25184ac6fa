/**
 * `--format ecs`: one Elastic Common Schema document per event, one JSON
 * object per line, as Auditbeat's auditd module writes them (see
 * `lib/ecs/`); a line that is no audit record is a document of its own with
 * an `error.message`.
 *
 * @module
 */

import { ecsBadLine, ecsEvent } from "../ecs/ecs.ts";
import type { EventFormatter } from "./formatter.ts";

/**
 * The ECS format: names come from the database `useAccountDatabase` chose.
 *
 * @example
 * ```ts
 * import { FORMATS, readEvents } from "../../mod.ts";
 * const w = FORMATS.ecs.open({});
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(w.write(ev));
 * ```
 */
export const ECS: EventFormatter = {
  interprets: false,
  carriesNames: false,
  ausearch: false,
  open() {
    return {
      write: (event) => JSON.stringify(ecsEvent(event)) + "\n",
      badLine: (bad) => JSON.stringify(ecsBadLine(bad)) + "\n",
    };
  },
};
