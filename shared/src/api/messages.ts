/**
 * Error messages of TypeBox's Value.Errors that say what a valid value looks like where TypeBox's
 * own would not: for a string format it names only the format.
 * Importing this registers the formats (formats.ts) too; common.ts imports it.
 */
import { DefaultErrorFunction, SetErrorFunction, ValueErrorType } from '@sinclair/typebox/errors';
import { STRING_FORMATS } from './formats.js';

SetErrorFunction((error) => {
  if (error.errorType === ValueErrorType.StringFormat && typeof error.schema['format'] === 'string') {
    const format = STRING_FORMATS.get(error.schema['format']);
    if (format) return `Expected ${format.expected}`;
  }
  return DefaultErrorFunction(error);
});
