import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFoundError } from '../common/domain-errors';
import { Page } from '../common/pagination.dto';
import { AppConfig } from '../config/configuration';
import { CreatePropertyDto } from './dto/create-property.dto';
import { UpdatePropertyDto } from './dto/update-property.dto';
import { Property } from './property.entity';

@Injectable()
export class PropertiesService {
  constructor(
    @InjectRepository(Property) private readonly properties: Repository<Property>,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  async create(dto: CreatePropertyDto): Promise<Property> {
    const currency = dto.currency ?? this.config.get('app', { infer: true }).defaultCurrency;
    return this.properties.save(this.properties.create({ ...dto, currency }));
  }

  async update(id: string, dto: UpdatePropertyDto): Promise<Property> {
    const property = await this.getById(id);
    return this.properties.save(this.properties.merge(property, dto));
  }

  async getById(id: string): Promise<Property> {
    const property = await this.properties.findOneBy({ id });
    if (!property) throw new NotFoundError('Property', id);
    return property;
  }

  async findById(id: string): Promise<Property | null> {
    return this.properties.findOneBy({ id });
  }

  async list(page: number, limit: number): Promise<Page<Property>> {
    const [items, total] = await this.properties.findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    return { items, page, limit, total };
  }
}
