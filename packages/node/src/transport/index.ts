export { createHttpTransport } from './httpTransport.js'
export type { HttpTransport, HttpTransportOptions } from './httpTransport.js'
export { createKyTransport } from './kyTransport.js'
export type { KyTransportOptions } from './kyTransport.js'
