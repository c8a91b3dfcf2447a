import { createHash } from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'

const H = (...p) => {
  const h = createHash('sm3')
  for (const x of p) h.update(Buffer.from(x, 'hex'))
  return h.digest('hex')
}
const a = 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC',
  b = '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93',
  gx = '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7',
  gy = 'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0'
const x = '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020',
  y = 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13'
const id = Buffer.from('ALICE123@YAHOO.COM').toString('hex')
const z = H('0090', id, a, b, gx, gy, x, y)
console.log('Z', z)
console.log('e', H(z, Buffer.from('message digest').toString('hex')))
console.log(
  'lib Z',
  Buffer.from(sm2.getZ('04' + x.toLowerCase() + y.toLowerCase(), 'ALICE123@YAHOO.COM')).toString('hex'),
)
