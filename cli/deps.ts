/**
 * The CLI framework, in one place so that nothing outside `cli/` depends on
 * it and its version is pinned once.
 *
 * @module
 */

export {
  Command,
  CommanderError,
  type CommandUnknownOpts,
  InvalidArgumentError,
  Option,
} from "npm:@commander-js/extra-typings@15.1.0";
