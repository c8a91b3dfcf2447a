import { consistencyProof, type NodeReader } from '@trec/merkle'

// The log's side of C2SP tlog-witness: offer a checkpoint to a witness with a consistency proof
// from the size it last cosigned, and get its cosignature lines back. A witness that answers 409
// with its size (text/x.tlog.size) is asked again with a proof from that size.

export type CosignResult = { ok: true; cosignatures: string } | { ok: false; status: number; message: string }

export async function requestCosignature(
  witnessUrl: string,
  note: string,
  size: number,
  nodes: NodeReader,
  oldSize = 0,
  signal?: AbortSignal,
): Promise<CosignResult> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const proof = oldSize === 0 || oldSize === size ? [] : await consistencyProof(nodes, oldSize, size)
    const body = `old ${oldSize}\n${proof.map((p) => `${Buffer.from(p).toString('base64')}\n`).join('')}\n${note}`
    const response = await fetch(`${witnessUrl}/add-checkpoint`, {
      method: 'POST',
      body,
      ...(signal ? { signal } : {}),
    })
    const text = await response.text()
    if (response.status === 200) return { ok: true, cosignatures: text }
    if (
      response.status === 409 &&
      response.headers.get('content-type') === 'text/x.tlog.size' &&
      attempt === 0
    ) {
      oldSize = Number(text.trim())
      if (oldSize > size) break
      continue
    }
    return { ok: false, status: response.status, message: text.trim() }
  }
  return { ok: false, status: 409, message: `the witness has cosigned a larger tree than ${size}` }
}

/** The checkpoint's signed note with cosignature lines added. */
export function withCosignatures(note: string, ...cosignatures: string[]): string {
  return `${note}${cosignatures.join('')}`
}
