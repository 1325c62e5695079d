/**
 * Error messages of TypeBox's Value.Errors that say what a valid value looks like where TypeBox's
 * own would not: a string format names only the format, a OneOrList union says "union value".
 * Importing this registers the formats (formats.ts) too; common.ts imports it.
 */
import { DefaultErrorFunction, SetErrorFunction, ValueErrorType, type ErrorFunctionParameter } from '@sinclair/typebox/errors';
import { STRING_FORMATS } from './formats.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The values of a OneOrList union (`anyOf: [enum, array of it]`), or undefined for another union. */
function oneOrListValues(schema: ErrorFunctionParameter['schema']): unknown[] | undefined {
  const anyOf: unknown = schema['anyOf'];
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return undefined;
  const item: unknown = anyOf[0];
  const list: unknown = anyOf[1];
  if (!isRecord(item) || !isRecord(list) || list['type'] !== 'array' || !Array.isArray(item['enum'])) return undefined;
  return JSON.stringify(list['items']) === JSON.stringify(item) ? item['enum'] : undefined;
}

SetErrorFunction((error) => {
  if (error.errorType === ValueErrorType.StringFormat && typeof error.schema['format'] === 'string') {
    const format = STRING_FORMATS.get(error.schema['format']);
    if (format) return `Expected ${format.expected}`;
  }
  if (error.errorType === ValueErrorType.Union) {
    const values = oneOrListValues(error.schema);
    if (values) return `Expected one of ${values.join(', ')}, or a list of them`;
  }
  return DefaultErrorFunction(error);
});
