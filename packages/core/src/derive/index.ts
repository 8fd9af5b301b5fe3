export { segmentChangeEvent } from './segmentChanges.js'
export type { SegmentChange, SegmentChangeEvent } from './segmentChanges.js'
