import { Module } from '@nestjs/common';
import { SnippetController } from './snippet.controller';

@Module({ controllers: [SnippetController] })
export class SnippetModule {}
