/** Waits until `check` holds, polling every 5 ms; fails past `withinMs`. */
export async function until(check: () => boolean, withinMs = 5000) {
  const deadline = Date.now() + withinMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
