// When a concurrent writer moved a command's stream between its read and its append, the command
// reads and decides again. Commands that collided on one stream (enrolments into one class
// arriving together) would collide again in step if they all retried at once, so each waits a
// random share of a window that doubles with every attempt (2, 4, 8 … 1,024 ms) before it reads
// again: many enrolments into one class at once (a roster filled by a platform) line up within a
// second or two instead of failing with a conflict.

/** How often a command decides again after a concurrent writer moved its stream, unless told. */
export const defaultConflictRetries = 10

/** The pause before attempt `attempt + 1` (jittered, doubling, at most 1,024 ms). */
export function afterConflict(attempt: number): Promise<void> {
  const window = Math.min(1024, 2 ** (attempt + 1))
  return new Promise((resolve) => setTimeout(resolve, Math.random() * window))
}
