// Reference data for the synthetic province: the eleven prefecture-level cities of Hebei with
// one urban district each (GB/T 2260 codes) and its approximate centre, and a handful of
// occupations of the 职业分类大典 (2022) that subsidised training commonly covers.

export interface City {
  code: string
  name: string
  district: string
  lat: number
  lon: number
}

export const hebeiCities: readonly City[] = [
  { code: '130100', name: '石家庄', district: '130102', lat: 38.0428, lon: 114.5149 },
  { code: '130200', name: '唐山', district: '130202', lat: 39.6305, lon: 118.1802 },
  { code: '130300', name: '秦皇岛', district: '130302', lat: 39.9354, lon: 119.6005 },
  { code: '130400', name: '邯郸', district: '130402', lat: 36.6256, lon: 114.5391 },
  { code: '130500', name: '邢台', district: '130502', lat: 37.0706, lon: 114.5047 },
  { code: '130600', name: '保定', district: '130602', lat: 38.8739, lon: 115.4646 },
  { code: '130700', name: '张家口', district: '130702', lat: 40.8244, lon: 114.8875 },
  { code: '130800', name: '承德', district: '130802', lat: 40.951, lon: 117.9634 },
  { code: '130900', name: '沧州', district: '130902', lat: 38.3037, lon: 116.8388 },
  { code: '131000', name: '廊坊', district: '131002', lat: 39.538, lon: 116.6838 },
  { code: '131100', name: '衡水', district: '131102', lat: 37.739, lon: 115.6702 },
]

export interface Occupation {
  code: string
  title: string
  /** Levels classes are run at (5 = 初级工 … 3 = 高级工). */
  levels: readonly number[]
}

export const occupations: readonly Occupation[] = [
  { code: '6-31-01-03', title: '电工', levels: [5, 4, 3] },
  { code: '6-18-02-04', title: '焊工', levels: [5, 4, 3] },
  { code: '4-10-01-02', title: '育婴员', levels: [5, 4] },
  { code: '4-03-02-01', title: '中式烹调师', levels: [5, 4, 3] },
  { code: '4-10-01-05', title: '养老护理员', levels: [5, 4] },
  { code: '4-12-01-01', title: '汽车维修工', levels: [5, 4, 3] },
]
