/**
 * `@ecrm/browser/snippet.min.js` is the loader snippet as text to paste into a page head: a file to
 * read (or serve), not a module to call. Importing it for its side effect defines the buffering stub.
 */
import type { EcrmScriptTag } from './script-tag.js'

declare global {
  interface Window {
    /** The snippet's buffering stub, replaced by the live client when `ecrm.min.js` loads. */
    ecrm: EcrmScriptTag
  }
}
