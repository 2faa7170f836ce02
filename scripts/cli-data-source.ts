import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigFromProcess } from '../src/config/configuration';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { entities } from './entities';

/** For `npm run migration:generate` against a server (DATABASE_URL must be set). */
const { database } = loadConfigFromProcess();
if (!database.url) {
  throw new Error('migration:generate needs DATABASE_URL pointing at a PostgreSQL server');
}
export default new DataSource({ ...buildDataSourceOptions(database.url, 2), entities });
