import { DataSourceOptions } from 'typeorm';
import { migrations } from './migrations';

/**
 * One definition of the connection for the app, the migration CLI and the tests. Entities are
 * not listed here: the app loads them from the feature modules (`autoLoadEntities`) and the
 * migration generator adds its own list (scripts/entities.ts).
 */
export function buildDataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
  };
}
