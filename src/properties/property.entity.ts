import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintToNumber } from '../common/bigint.transformer';

@Entity({ name: 'properties' })
export class Property {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'integer' })
  price: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The listing's agent in amoCRM: responsible for its new leads when active there. */
  @Column({
    name: 'amo_responsible_user_id',
    type: 'bigint',
    nullable: true,
    transformer: bigintToNumber,
  })
  amoResponsibleUserId: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
