// The postings table of the 채용 공고 tab: one page of postings in a focusable
// scroll box (so keyboard users can scroll its width), a caption saying which
// rows of how many are shown, and a pager whose buttons stay in place and
// focusable at the ends (aria-disabled, not disabled), so focus is never
// lost while paging; the page summary is a live region. Runs on the page's
// main thread.
import { createPager, renderTable, scrollRegion } from './dom.js';
import { number } from './format.js';

const HEADERS = ['공고번호', '제목', '기관', '시작일', '마감일', '시도', '근무지', '고용형태', '직종', '인원 (명)', '상태', '우대사항'];
const OPEN_COLUMN = 10;
const HEADCOUNT_COLUMN = 9;

export const PAGE_SIZE = 20;

export function createPostingsTable(container, { onPage }) {
  const region = scrollRegion('table-scroll', '채용 공고 목록');
  const { nav: pager, previous, next, summary } = createPager('채용 공고 목록 쪽 이동', ['previous', '이전 쪽'], ['next', '다음 쪽']);
  let page = 1;
  let pages = 1;
  previous.addEventListener('click', () => { if (page > 1) onPage(page - 1); });
  next.addEventListener('click', () => { if (page < pages) onPage(page + 1); });

  return {
    show(data) {
      page = data.page;
      pages = Math.max(1, Math.ceil(data.total / data.page_size));
      const first = data.total ? (data.page - 1) * data.page_size + 1 : 0;
      const last = Math.min(data.total, data.page * data.page_size);
      const caption = `채용 공고 목록: 총 ${number(data.total)}건 중 ${number(first)}–${number(last)}번째`;
      const rows = data.rows.map((row) => row.map((cell, index) => {
        if (index === OPEN_COLUMN) return cell ? '접수중' : '마감';
        if (index === HEADCOUNT_COLUMN) return number(cell);
        return cell;
      }));
      renderTable(region, { caption, headers: HEADERS, rows, rowHeaders: true, emptyText: '조건에 맞는 공고가 없습니다' });
      region.setAttribute('aria-label', caption);
      previous.setAttribute('aria-disabled', String(page <= 1));
      next.setAttribute('aria-disabled', String(page >= pages));
      summary.textContent = `총 ${number(data.total)}건 · ${number(page)} / ${number(pages)} 쪽`;
      summary.dataset.total = String(data.total);
      if (!region.isConnected) container.replaceChildren(region, pager);
    },
  };
}
