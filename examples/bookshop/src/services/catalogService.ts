import type { Repositories } from '../db/repositories.js';
import { notFound } from '../lib/errors.js';

/** The book catalogue: browsing and stock. */
export class CatalogService {
  constructor(private readonly repos: Repositories) {}

  listBooks(page = 1, pageSize = 20) {
    return this.repos.books.list({ limit: pageSize, offset: (page - 1) * pageSize });
  }

  async getBook(id: number) {
    const book = await this.repos.books.get(id);
    if (!book) throw notFound('Book');
    return book;
  }

  addBook(input: { isbn: string; title: string; authorId: number; priceCents: number; stock: number }) {
    return this.repos.books.create({ ...input, published: true });
  }
}
