/**
 * The package's library entry: open a warehouse, query it offline, and type a
 * config file (`import { defineConfig } from 'upload-post-warehouse'`).
 */
export { openWarehouse, type Warehouse } from './store/warehouse.js';
export { totalImpressions, explainImpressions } from './query/impressions.usecases.js';
export { defineConfig, type UserConfig, type ProfileConfig, type ResolvedConfig } from './config/config.js';
export type {
  ImpressionsQuery,
  ImpressionsSource,
  ImpressionsAnswer,
  TotalImpressionsAnswer,
  MetricsAnswer,
  ExplainedImpressions,
  ResolvedQuery,
} from './query/impressions.types.js';
export { BadInputError, ProfileNotFoundError, UpwError } from './errors.js';
