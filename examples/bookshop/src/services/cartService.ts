import type { Repositories } from '../db/repositories.js';
import { AppError } from '../lib/errors.js';

/** A customer's shopping cart. */
export class CartService {
  constructor(private readonly repos: Repositories) {}

  items(customerId: number) {
    return this.repos.carts.items(customerId);
  }

  async add(customerId: number, bookId: number, quantity: number) {
    const book = await this.repos.books.get(bookId);
    if (!book) throw new AppError(404, 'not_found', 'Book not found');
    if (book.stock < quantity) throw new AppError(409, 'out_of_stock', `Only ${book.stock} left of "${book.title}"`);
    return this.repos.carts.add(customerId, bookId, quantity);
  }
}
