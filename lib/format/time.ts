/**
 * Times as the C tools print them (ctime, `%x`, `%T`), cached per second:
 * the time columns of every text format and of aureport.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

let ctimeSec = -1;
let ctimeText = "";

/** `ctime()` of a time in seconds, local time, without the newline. */
export function ctime(sec: number): string {
  // consecutive events mostly share their second
  if (sec === ctimeSec) return ctimeText;
  ctimeSec = sec;
  ctimeText = ctimeOf(sec);
  return ctimeText;
}

function ctimeOf(sec: number): string {
  const d = new Date(sec * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${
    p2(d.getHours())
  }:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

let stampSec = -1;
let stampText = "";

/** `%x %T` of a time in seconds (the interpreted stamp), cached per second. */
export function stampOf(sec: number): string {
  if (sec !== stampSec) {
    stampSec = sec;
    stampText = `${dateX(sec)} ${timeT(sec)}`;
  }
  return stampText;
}

/** `strftime("%x")` in the C locale: `MM/DD/YY`, local time. */
export function dateX(sec: number): string {
  const d = new Date(sec * 1000);
  return `${p2(d.getMonth() + 1)}/${p2(d.getDate())}/${p2(d.getFullYear() % 100)}`;
}

/** `strftime("%T")`: `HH:MM:SS`, local time. */
export function timeT(sec: number): string {
  const d = new Date(sec * 1000);
  return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}
