/** Milliseconds in one hour. */
export const HOUR_MS = 3_600_000

/** Milliseconds in one (UTC, 24-hour) day: day numbers and "N days" windows are counted in it. */
export const DAY_MS = 86_400_000
