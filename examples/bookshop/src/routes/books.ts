import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { CatalogService } from '../services/catalogService.js';

const NewBook = z.object({ isbn: z.string().length(13), title: z.string().min(1), authorId: z.number().int(), priceCents: z.number().int().positive(), stock: z.number().int().nonnegative() });

/** The catalogue: anyone may browse; staff add books. */
export const bookRoutes: FastifyPluginAsync<{ catalog: CatalogService }> = async (app, { catalog }) => {
  app.get('/', async (request) => {
    const { page } = z.object({ page: z.coerce.number().int().positive().default(1) }).parse(request.query);
    return catalog.listBooks(page);
  });

  app.get('/:id', async (request) => {
    const { id } = z.object({ id: z.coerce.number().int() }).parse(request.params);
    return catalog.getBook(id);
  });

  app.post('/', { preHandler: app.requireAdmin }, async (request, reply) => {
    const book = await catalog.addBook(NewBook.parse(request.body));
    return reply.code(201).send(book);
  });
};
