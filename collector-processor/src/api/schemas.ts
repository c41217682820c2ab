import { z } from 'zod';
import { MODEL_NAMES } from '../anomaly-event';

/** Request/response shapes of the REST API (docs/rest-api.md); also the source of the OpenAPI document. */
export const ModelSettingSchema = z.object({ enabled: z.boolean(), weight: z.number().min(0).max(10) });

export const ThresholdSchema = z
  .object({
    falseAlarmRate: z.number().gt(0).lt(0.5),
    minScore: z.number().min(0).max(100),
    models: z.object(
      Object.fromEntries(MODEL_NAMES.map((m) => [m, ModelSettingSchema])) as Record<
        (typeof MODEL_NAMES)[number],
        typeof ModelSettingSchema
      >,
    ),
  })
  .strict()
  .refine((t) => MODEL_NAMES.some((m) => t.models[m].enabled && t.models[m].weight > 0), {
    message: 'at least one model must be enabled with a positive weight',
    path: ['models'],
  });
export type Threshold = z.infer<typeof ThresholdSchema>;

export const AnomalyQuerySchema = z
  .object({
    stream: z.string().optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    minScore: z.coerce.number().min(0).max(100).optional(),
    severity: z.enum(['info', 'warning', 'critical']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export type AnomalyQuery = z.infer<typeof AnomalyQuerySchema>;

export const TemplateQuerySchema = z
  .object({
    stream: z.string().optional(),
    search: z.string().max(200).optional(),
    onlyNew: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export type TemplateQuery = z.infer<typeof TemplateQuerySchema>;

export const PageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const FeedbackSchema = z
  .object({ label: z.enum(['false_positive', 'true_positive']), comment: z.string().max(2000).optional() })
  .strict();
export type FeedbackBody = z.infer<typeof FeedbackSchema>;

export const PreviewSchema = z
  .object({
    stream: z.string().optional(),
    threshold: ThresholdSchema,
    hours: z
      .number()
      .positive()
      .max(24 * 14)
      .default(24),
  })
  .strict();
export type PreviewBody = z.infer<typeof PreviewSchema>;

export const IdParams = z.object({ id: z.string().min(1).max(200) });
export const StreamParams = z.object({ stream: z.string().min(1).max(500) });
export const VersionParams = z.object({ version: z.string().min(1).max(200) });
