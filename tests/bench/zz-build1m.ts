import { benchProvince } from '/work/main/tests/bench/bench-province.ts'
console.log(await benchProvince('postgres://postgres@127.0.0.1:5432/postgres', 'province-1m', 1_000_000))
