/** Template: named Handlebars templates and language packs. */
import { Type, type Static } from '@sinclair/typebox';
import { StringMap, type HeraldObject } from './common.js';

export const TemplateSpec = Type.Object(
  {
    templates: Type.Optional(
      StringMap({ description: 'Handlebars sources by template name; names are global across Templates.' }),
    ),
    languagePack: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String({ minLength: 1, maxLength: 32, description: 'Language, e.g. zh-cn.' }),
          dictionary: StringMap({ description: 'Words and phrases to their translation.' }),
        }),
        { maxItems: 64 },
      ),
    ),
  },
  {
    'x-kubernetes-validations': [
      { rule: 'has(self.templates) || has(self.languagePack)', message: 'a Template needs templates or languagePack' },
    ],
  },
);
export type TemplateSpec = Static<typeof TemplateSpec>;
export type Template = HeraldObject<'Template', TemplateSpec>;
