import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  FindOptionsWhere,
  In,
  IsNull,
  MoreThanOrEqual,
  Not,
  QueryFailedError,
  Repository,
} from 'typeorm';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { Page } from '../common/pagination.dto';
import { SyncJobKind } from '../amo-crm/outbox/amo-sync-job.entity';
import { SyncQueueService } from '../amo-crm/outbox/sync-queue.service';
import { AppConfig } from '../config/configuration';
import { normalizeEmail, normalizePhone } from './contact-normalization';
import { CreateLeadDto } from './dto/create-lead.dto';
import { ListLeadsQuery } from './dto/list-leads.query';
import { UpdateLeadDto } from './dto/update-lead.dto';
import { Lead } from './lead.entity';
import { findRepeatOriginal } from './repeat-request.rules';
import { ContactTime, LeadSource, LeadStatus, LeadSyncState } from './lead.enums';
import { compactTracking } from './lead-tracking';
import { LeadOrigin, clientAddress, formPageFromReferer } from './lead-origin';

const FOREIGN_KEY_VIOLATION = '23503';

@Injectable()
export class LeadsService {
  private readonly phoneRegion: string;
  private readonly repeatWindowDays: number;

  constructor(
    @InjectRepository(Lead) private readonly leads: Repository<Lead>,
    private readonly dataSource: DataSource,
    private readonly syncQueue: SyncQueueService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.phoneRegion = config.get('app', { infer: true }).phoneDefaultRegion;
    this.repeatWindowDays = config.get('app', { infer: true }).repeatWindowDays;
  }

  /** `origin`: what the request itself says (client address, Referer), not the form's fields. */
  async create(dto: CreateLeadDto, origin: LeadOrigin = {}): Promise<Lead> {
    const lead = this.leads.create({
      propertyId: dto.propertyId,
      guestName: dto.guestName,
      guestPhone: dto.guestPhone == null ? null : this.phone(dto.guestPhone),
      guestEmail: dto.guestEmail == null ? null : normalizeEmail(dto.guestEmail),
      contactMethod: dto.contactMethod,
      contactTime: dto.contactTime ?? ContactTime.ANY_TIME,
      comment: dto.comment?.trim() || null,
      tracking: compactTracking(dto.tracking),
      pageUrl: dto.pageUrl || formPageFromReferer(origin.referer),
      clientIp: clientAddress(origin.ip),
      status: LeadStatus.NEW,
      source: LeadSource.SITE,
      syncState: this.syncQueue.enabled ? LeadSyncState.PENDING : LeadSyncState.NOT_CONFIGURED,
    });
    try {
      const saved = await this.dataSource.transaction(async (em) => {
        lead.repeatOf = await this.repeatOf(em, lead);
        const row = await em.getRepository(Lead).save(lead);
        if (!this.syncQueue.enabled) return row;
        if (row.repeatOf) await this.syncQueue.enqueueRepeat(em, row.id);
        else await this.syncQueue.enqueueCreate(em, row.id);
        return row;
      });
      this.syncQueue.wake();
      return saved;
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { code?: string }).code === FOREIGN_KEY_VIOLATION
      ) {
        throw new InvalidInputError(`Property ${dto.propertyId} does not exist`, [
          { field: 'propertyId', messages: [`property ${dto.propertyId} does not exist`] },
        ]);
      }
      throw err;
    }
  }

  async getById(id: string): Promise<Lead> {
    const lead = await this.leads.findOneBy({ id });
    if (!lead) throw new NotFoundError('Lead', id);
    return lead;
  }

  async list(q: ListLeadsQuery): Promise<Page<Lead>> {
    const where: FindOptionsWhere<Lead> = {};
    if (q.status) where.status = q.status;
    if (q.syncState) where.syncState = q.syncState;
    const [items, total] = await this.leads.findAndCount({
      where,
      order: { createdAt: 'DESC', number: 'DESC' },
      skip: (q.page - 1) * q.limit,
      take: q.limit,
    });
    return { items, page: q.page, limit: q.limit, total };
  }

  async changeStatus(id: string, status: LeadStatus): Promise<Lead> {
    return this.dataSource
      .transaction(async (em) => {
        const repo = em.getRepository(Lead);
        const lead = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!lead) throw new NotFoundError('Lead', id);
        if (lead.status === status) return lead;
        lead.status = status;
        const saved = await repo.save(lead);
        if (this.syncQueue.enabled)
          await this.syncQueue.enqueueUpdate(em, id, SyncJobKind.STATUS, ['status']);
        return saved;
      })
      .finally(() => this.syncQueue.wake());
  }

  async update(id: string, dto: UpdateLeadDto): Promise<Lead> {
    const changes: Partial<Lead> = {};
    if (dto.guestName !== undefined) changes.guestName = dto.guestName;
    if (dto.guestPhone !== undefined)
      changes.guestPhone = dto.guestPhone === null ? null : this.phone(dto.guestPhone);
    if (dto.guestEmail !== undefined)
      changes.guestEmail = dto.guestEmail === null ? null : normalizeEmail(dto.guestEmail);
    if (dto.contactMethod !== undefined) changes.contactMethod = dto.contactMethod;
    if (dto.contactTime !== undefined) changes.contactTime = dto.contactTime;
    if (dto.comment !== undefined) changes.comment = dto.comment?.trim() || null;
    if (Object.keys(changes).length === 0) {
      throw new InvalidInputError('Provide at least one field to change');
    }
    return this.dataSource
      .transaction(async (em) => {
        const repo = em.getRepository(Lead);
        const lead = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!lead) throw new NotFoundError('Lead', id);
        Object.assign(lead, changes);
        if (!lead.guestPhone && !lead.guestEmail) {
          throw new InvalidInputError('A lead needs a phone or an e-mail', [
            { field: 'guestPhone', messages: ['a lead needs a phone or an e-mail'] },
          ]);
        }
        const saved = await repo.save(lead);
        if (this.syncQueue.enabled)
          await this.syncQueue.enqueueUpdate(em, id, SyncJobKind.UPDATE, Object.keys(changes));
        return saved;
      })
      .finally(() => this.syncQueue.wake());
  }

  /** The open lead this request repeats (docs/MANAGERS.md), if any: it joins that deal. */
  private async repeatOf(em: EntityManager, lead: Lead): Promise<string | null> {
    if (this.repeatWindowDays <= 0 || !lead.propertyId) return null;
    if (!lead.guestPhone && !lead.guestEmail) return null;
    const candidates = await em.getRepository(Lead).find({
      where: [
        ...(lead.guestPhone ? [{ propertyId: lead.propertyId, guestPhone: lead.guestPhone }] : []),
        ...(lead.guestEmail ? [{ propertyId: lead.propertyId, guestEmail: lead.guestEmail }] : []),
      ].map((w) => ({
        ...w,
        repeatOf: IsNull(),
        status: Not(In([LeadStatus.WON, LeadStatus.LOST])),
        createdAt: MoreThanOrEqual(new Date(Date.now() - this.repeatWindowDays * 86_400_000)),
      })),
      order: { createdAt: 'DESC' },
      take: 5,
    });
    return findRepeatOriginal(lead, candidates, new Date(), this.repeatWindowDays)?.id ?? null;
  }

  private phone(raw: string): string {
    const phone = normalizePhone(raw, this.phoneRegion);
    if (!phone) {
      throw new InvalidInputError('Validation failed: guestPhone', [
        { field: 'guestPhone', messages: ['guestPhone must be a valid phone number'] },
      ]);
    }
    return phone;
  }
}
