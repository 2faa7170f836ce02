import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigFromProcess } from '../config/configuration';
import { buildDataSourceOptions } from './data-source-options';

/** For `npm run migration:generate` against a server (DATABASE_URL must be set). */
const { database } = loadConfigFromProcess();
if (!database.url) {
  throw new Error('migration:generate needs DATABASE_URL pointing at a PostgreSQL server');
}
export default new DataSource(buildDataSourceOptions(database.url, 2));
