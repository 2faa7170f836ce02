/**
 * The largest webhook body amoCRM plausibly sends: 250 `leads[status]` items (amoCRM's page
 * size and the most it batches) in the heavy shape of a real account — a 60-character Cyrillic
 * name, 5 tags, 15 custom fields with Cyrillic names and values, every standard field — so the
 * receiver's size limit is checked against what amoCRM needs, not guessed.
 */
export function heavyStatusBatch(accountId: number, firstLeadId = 30_000_000, items = 250): string {
  const form = new URLSearchParams();
  const cyr = (n: number, seed: number): string =>
    Array.from(
      { length: n },
      (_, i) => 'абвгдеёжзийклмнопрстуфхцчшщыэюя'[(seed + i * 7) % 31],
    ).join('');
  for (let i = 0; i < items; i++) {
    const p = `leads[status][${i}]`;
    const ts = String(1_765_000_000 + i);
    form.append(`${p}[id]`, String(firstLeadId + i));
    form.append(`${p}[name]`, cyr(60, i));
    form.append(`${p}[status_id]`, '7100002');
    form.append(`${p}[old_status_id]`, '7100001');
    form.append(`${p}[price]`, '12500000');
    form.append(`${p}[responsible_user_id]`, '9040358');
    form.append(`${p}[last_modified]`, ts);
    form.append(`${p}[modified_user_id]`, '9040358');
    form.append(`${p}[created_user_id]`, '9040358');
    form.append(`${p}[date_create]`, ts);
    form.append(`${p}[pipeline_id]`, '7000001');
    form.append(`${p}[account_id]`, String(accountId));
    for (let t = 0; t < 5; t++) {
      form.append(`${p}[tags][${t}][id]`, String(500_000 + t));
      form.append(`${p}[tags][${t}][name]`, cyr(12, t));
    }
    for (let f = 0; f < 15; f++) {
      form.append(`${p}[custom_fields][${f}][id]`, String(8_000_100 + f));
      form.append(`${p}[custom_fields][${f}][name]`, cyr(25, f));
      form.append(`${p}[custom_fields][${f}][values][0][value]`, cyr(30, i + f));
      if (f % 3 === 0)
        form.append(`${p}[custom_fields][${f}][values][0][enum]`, String(8_100_000 + f));
    }
    form.append(`${p}[created_at]`, ts);
    form.append(`${p}[updated_at]`, ts);
  }
  form.append('account[subdomain]', 'agency');
  form.append('account[id]', String(accountId));
  form.append('account[_links][self]', 'https://agency.amocrm.ru');
  return form.toString();
}
