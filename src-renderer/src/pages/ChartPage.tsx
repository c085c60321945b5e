import { PlaceholderPage } from './PlaceholderPage';

export function ChartPage() {
  return (
    <PlaceholderPage title="Chart">
      <p>Candlesticks of one symbol from the lake.</p>
    </PlaceholderPage>
  );
}
