export { openCsv } from './readCsvRecords.js'
export type { CsvFile, CsvRecord, OpenCsvOptions } from './readCsvRecords.js'
export { detectDialect, describeDialect } from './csvDialect.js'
export type { CsvDialect, Delimiter } from './csvDialect.js'
