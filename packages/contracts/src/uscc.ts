// 统一社会信用代码, GB 32100-2015 §4–§5: 17 characters and a check character over the 31-symbol
// alphabet 0–9 A–H J–N P–R T–U W–Y (I, O, S, V and Z are left out so they cannot be misread).
// Position i (from 1) has weight 3^(i−1) mod 31; the check value is 31 − (Σ value × weight mod
// 31), where 31 maps to 0.
const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'

export function usccCheckCharacter(first17: string): string {
  let sum = 0
  let weight = 1
  for (let i = 0; i < 17; i++) {
    const value = alphabet.indexOf(first17[i] ?? '')
    if (value < 0) throw new RangeError(`not a GB 32100 character at ${i}`)
    sum += value * weight
    weight = (weight * 3) % 31
  }
  return alphabet[(31 - (sum % 31)) % 31]!
}

export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NP-RT-UW-Y]{18}$/.test(code)) return false
  return usccCheckCharacter(code.slice(0, 17)) === code[17]
}
