using System.Globalization;
using RetailEdge.Contracts.Events;

namespace RetailEdge.Simulator;

/// <summary>
/// The valid events of one store in event-time order, produced lazily one local day at a time:
/// a day's schedule (times and kinds only) is drawn first, then each happening becomes an event in
/// time order, so stock positions, labels waiting at the till and counts stay consistent. Uses its
/// own seeded stream: nothing about faults or other stores changes what it produces.
/// </summary>
internal sealed class StoreStream
{
    private const double OnlineShare = 0.05;
    private const double BopisShare = 0.03;
    private const double ReturnBasketShare = 0.015;
    private const double ReturnLineInBasketShare = 0.005;
    private const double LoyaltyShare = 0.40;
    private const double SmallTripShare = 0.35;
    private const double SmallTripMeanExtraLines = 3.0;
    private const double MarkdownShare = 0.02;
    private const double PriceOverrideShare = 0.001;
    private const double LabelPrintedShare = 0.97;
    private const double TareShare = 0.4;
    private const double TareAnomalyShare = 0.003;
    private const double CountNoiseShare = 0.02;
    private const int MaxBasketLines = 150;
    private const int MaxLabelsPerBasket = 3;
    private const int Employees = 12;

    private static readonly decimal[] Discounts = [0.10m, 0.20m, 0.30m, 0.50m];
    private static readonly string[] ShrinkReasons = ["damaged", "expired", "theft"];
    private static readonly string[] AdjustmentReasons = ["recount", "system correction", "vendor credit"];

    private readonly SimulationCatalog _catalog;
    private readonly SimulationProfile _profile;
    private readonly DailyCurve _curve;
    private readonly SimRandom _random;
    private readonly int _storeId;
    private readonly TimeSpan _offset;
    private readonly long _offsetTicks;
    private readonly long _startLocalTicks;
    private readonly long _endLocalTicks;
    private readonly string _storePrefix;

    // the assortment (catalogue indexes) and its stock
    private readonly int[] _items;
    private readonly int[] _countOrder;
    private readonly decimal[] _position;
    private readonly decimal[] _reorderPoint;
    private readonly decimal[] _orderUpTo;
    private readonly AliasTable _pieceTable;
    private readonly int[] _pieceMap;
    private readonly PieceItem[] _pieces;
    private readonly AliasTable? _weighedTable;
    private readonly int[] _weighedMap;
    private readonly AliasTable _customerTable;
    private readonly string?[] _customers;
    private readonly string[] _lanes;
    private readonly string[] _scales;
    private readonly string[] _employees;
    private readonly double _bigTripMu;

    private readonly PriorityQueue<Label, long> _labels = new();
    private readonly List<BasketLine> _lineBuffer = new(MaxBasketLines + MaxLabelsPerBasket + 1);
    private readonly List<InventoryLine> _changeBuffer = new(256);
    private double[] _urgency = [];
    private int[] _urgencyIndex = [];

    private Happening[] _schedule = new Happening[1024];
    private int _scheduleCount;
    private int _scheduleIndex;
    private long _dayLocalTicks;
    private int _dayIndex;
    private string _dateText = string.Empty;
    private int _basketSeq;
    private int _weighingSeq;
    private int _changeSeq;
    private int _countSeq;
    private bool _finished;

    public StoreStream(SimulationCatalog catalog, DailyCurve curve, int storeId, int seed, long startLocalTicks, long endLocalTicks)
    {
        _catalog = catalog;
        _profile = catalog.Profile;
        _curve = curve;
        _storeId = storeId;
        _offset = catalog.OffsetOf(storeId);
        _offsetTicks = _offset.Ticks;
        _startLocalTicks = startLocalTicks;
        _endLocalTicks = endLocalTicks;
        _storePrefix = storeId.ToString("D3", CultureInfo.InvariantCulture);
        _random = SimRandom.Derive(seed, storeId, 2);

        // slots in popularity order: the items drawn most often keep their data (stock, alias
        // entries, prices) together in memory; counts walk the aisles in item order instead
        var ascending = catalog.AssortmentIndexes(storeId);
        _items = (int[])ascending.Clone();
        Array.Sort(_items, (x, y) => catalog.Ranks[x].CompareTo(catalog.Ranks[y]));
        var n = _items.Length;
        var slotOf = new Dictionary<int, int>(n);
        for (var a = 0; a < n; a++)
        {
            slotOf[_items[a]] = a;
        }
        _countOrder = new int[n];
        for (var k = 0; k < n; k++)
        {
            _countOrder[k] = slotOf[ascending[k]];
        }

        _position = new decimal[n];
        _reorderPoint = new decimal[n];
        _orderUpTo = new decimal[n];
        var pieceWeights = new List<double>(n);
        var pieceMap = new List<int>(n);
        var weighedWeights = new List<double>();
        var weighedMap = new List<int>();
        for (var a = 0; a < n; a++)
        {
            var c = _items[a];
            if (catalog.Weighed[c])
            {
                weighedWeights.Add(catalog.Popularity[c]);
                weighedMap.Add(a);
            }
            else
            {
                pieceWeights.Add(catalog.Popularity[c]);
                pieceMap.Add(a);
            }
        }
        _pieceTable = new AliasTable(pieceWeights.ToArray());
        _pieceMap = [.. pieceMap];
        _pieces = new PieceItem[_pieceMap.Length];
        for (var p = 0; p < _pieces.Length; p++)
        {
            var c = _items[_pieceMap[p]];
            _pieces[p] = new PieceItem(catalog.ItemIds[c], catalog.Prices[c], _pieceMap[p]);
        }
        _weighedTable = weighedWeights.Count > 0 ? new AliasTable(weighedWeights.ToArray()) : null;
        _weighedMap = [.. weighedMap];
        InitialiseStock();

        var customerWeights = new double[_profile.Customers];
        for (var k = 0; k < customerWeights.Length; k++)
        {
            // a few regulars shop almost daily, most members now and then
            customerWeights[k] = Math.Pow(k + 5, -0.9);
        }
        _customerTable = new AliasTable(customerWeights);
        _customers = new string?[_profile.Customers];
        _lanes = new string[_profile.Lanes];
        for (var l = 0; l < _lanes.Length; l++)
        {
            _lanes[l] = string.Create(CultureInfo.InvariantCulture, $"lane-{l + 1:D2}");
        }
        _scales = new string[_profile.Scales];
        for (var s = 0; s < _scales.Length; s++)
        {
            _scales[s] = string.Create(CultureInfo.InvariantCulture, $"scale-{s + 1}");
        }
        _employees = new string[Employees];
        for (var e = 0; e < Employees; e++)
        {
            _employees[e] = string.Create(CultureInfo.InvariantCulture, $"E{_storePrefix}-{e + 1:D2}");
        }
        // big trips: log-normal lines (σ 0.5) whose mean makes the profile's average basket size
        var smallTripMean = 1 + 1 / (Math.Exp(1 / SmallTripMeanExtraLines) - 1);
        var labelLines = _profile.WeighingsPerDay * LabelPrintedShare / Math.Max(1, _profile.BasketsPerDay);
        var bigTripMean = Math.Max(2, (_profile.MeanBasketLines - labelLines - SmallTripShare * smallTripMean) / (1 - SmallTripShare));
        _bigTripMu = Math.Log(bigTripMean) - 0.125;

        _dayLocalTicks = new DateTime(startLocalTicks, DateTimeKind.Unspecified).Date.Ticks;
        _dayIndex = 0;
        BuildDay();
    }

    public int StoreId => _storeId;

    public StoreEvent Current { get; private set; } = null!;

    /// <summary>The current event's time in UTC ticks (the merge key across stores).</summary>
    public long CurrentUtcTicks { get; private set; }

    /// <summary>Index of the current event in this store's valid stream.</summary>
    public long Sequence { get; private set; } = -1;

    public bool MoveNext()
    {
        while (!_finished)
        {
            if (_scheduleIndex >= _scheduleCount)
            {
                _dayLocalTicks += TimeSpan.TicksPerDay;
                _dayIndex++;
                if (_dayLocalTicks >= _endLocalTicks)
                {
                    _finished = true;
                    return false;
                }
                BuildDay();
                continue;
            }
            var happening = _schedule[_scheduleIndex++];
            if (happening.LocalTicks < _startLocalTicks)
            {
                continue;
            }
            if (happening.LocalTicks >= _endLocalTicks)
            {
                _finished = true;
                return false;
            }
            var storeEvent = Materialise(happening);
            if (storeEvent is null)
            {
                continue;
            }
            Current = storeEvent;
            CurrentUtcTicks = happening.LocalTicks - _offsetTicks;
            Sequence++;
            return true;
        }
        return false;
    }

    private void BuildDay()
    {
        _scheduleCount = 0;
        _scheduleIndex = 0;
        _basketSeq = 0;
        _weighingSeq = 0;
        _changeSeq = 0;
        _countSeq = 0;
        _labels.Clear();
        var date = new DateTime(_dayLocalTicks, DateTimeKind.Unspecified);
        _dateText = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var factor = DailyCurve.DayFactor(date.DayOfWeek);
        var day = _dayLocalTicks;
        var open = _curve.OpenMinute * TimeSpan.TicksPerMinute;
        var close = _curve.CloseMinute * TimeSpan.TicksPerMinute;

        if (_dayIndex % _profile.FullCountEveryDays == 0)
        {
            // before opening: the count team walks the aisles in item order, a chunk every few minutes
            var chunks = (_items.Length + _profile.CountChunkSize - 1) / _profile.CountChunkSize;
            var first = open - TimeSpan.TicksPerHour * 5 / 2;
            for (var c = 0; c < chunks; c++)
            {
                Add(day + first + c * 4 * TimeSpan.TicksPerMinute, HappeningKind.FullCountChunk, c);
            }
        }
        var span = close - open;
        for (var d = 0; d < _profile.Deliveries; d++)
        {
            var at = open - TimeSpan.TicksPerHour + d * span / _profile.Deliveries + _random.Next(20 * 60_000) * TimeSpan.TicksPerMillisecond;
            Add(day + at, HappeningKind.Delivery, d);
        }
        var baskets = _random.NextPoisson(_profile.BasketsPerDay * factor);
        for (var b = 0; b < baskets; b++)
        {
            Add(day + _curve.SampleTimeOfDay(_random), HappeningKind.Basket, 0);
        }
        if (_weighedTable is not null)
        {
            var weighings = _random.NextPoisson(_profile.WeighingsPerDay * factor);
            for (var w = 0; w < weighings; w++)
            {
                Add(day + _curve.SampleTimeOfDay(_random), HappeningKind.Weighing, 0);
            }
        }
        var shrinkEvents = Math.Max(1, (int)Math.Round(_profile.ShrinkLinesPerDay / 3.0));
        for (var s = 0; s < shrinkEvents; s++)
        {
            Add(day + _curve.SampleOpenTime(_random), HappeningKind.Shrink, 0);
        }
        for (var a = 0; a < _profile.AdjustmentsPerDay; a++)
        {
            Add(day + _curve.SampleOpenTime(_random), HappeningKind.Adjustment, 0);
        }
        for (var c = 0; c < _profile.CycleCountsPerDay; c++)
        {
            Add(day + _curve.SampleOpenTime(_random), HappeningKind.CycleCount, 0);
        }
        Array.Sort(_schedule, 0, _scheduleCount, HappeningComparer.Instance);
    }

    private void Add(long localTicks, HappeningKind kind, int arg)
    {
        if (_scheduleCount == _schedule.Length)
        {
            Array.Resize(ref _schedule, _schedule.Length * 2);
        }
        _schedule[_scheduleCount] = new Happening(localTicks, kind, arg, _scheduleCount);
        _scheduleCount++;
    }

    private StoreEvent? Materialise(Happening happening)
    {
        var ts = new DateTimeOffset(happening.LocalTicks, _offset);
        return happening.Kind switch
        {
            HappeningKind.Basket => Basket(ts, happening.LocalTicks),
            HappeningKind.Weighing => Weighing(ts, happening.LocalTicks),
            HappeningKind.Delivery => Delivery(ts, happening.Arg),
            HappeningKind.Shrink => Shrink(ts),
            HappeningKind.Adjustment => Adjustment(ts),
            HappeningKind.CycleCount => CycleCount(ts),
            HappeningKind.FullCountChunk => FullCountChunk(ts, happening.Arg),
            _ => null,
        };
    }

    private BasketEvent Basket(DateTimeOffset ts, long localTicks)
    {
        var u = _random.NextDouble();
        var channel = u < OnlineShare ? Channels.Online : u < OnlineShare + BopisShare ? Channels.Bopis : Channels.Store;
        var isReturn = channel == Channels.Store && _random.Chance(ReturnBasketShare);
        string laneId;
        string? tender;
        string? customerId;
        if (channel == Channels.Store)
        {
            laneId = _lanes[_random.Next(_curve.OpenLanes(localTicks - _dayLocalTicks))];
            var t = _random.NextDouble();
            tender = t < 0.62 ? "card" : t < 0.82 ? "mobile" : "cash";
            customerId = _random.Chance(isReturn ? 0.5 : LoyaltyShare) ? Customer() : null;
        }
        else
        {
            laneId = channel == Channels.Online ? "web" : "pickup";
            tender = "online";
            customerId = Customer();
        }

        _lineBuffer.Clear();
        if (isReturn)
        {
            var count = _random.Chance(0.8) ? 1 : 2;
            for (var i = 0; i < count; i++)
            {
                var piece = _pieces[_pieceTable.Sample(_random)];
                AddLine(new BasketLine(piece.ItemId, _random.Chance(0.9) ? -1m : -2m, piece.Price), piece.Assortment);
            }
        }
        else
        {
            var lines = BasketSize();
            for (var i = 0; i < lines; i++)
            {
                _lineBuffer.Add(PieceLine());
            }
            if (channel == Channels.Store)
            {
                if (_random.Chance(ReturnLineInBasketShare))
                {
                    var piece = _pieces[_pieceTable.Sample(_random)];
                    AddLine(new BasketLine(piece.ItemId, -1m, piece.Price), piece.Assortment);
                }
                // shoppers who weighed produce earlier bring the labels to the till
                for (var k = 0; k < MaxLabelsPerBasket && _labels.TryPeek(out var label, out var ready) && ready <= localTicks; k++)
                {
                    _labels.Dequeue();
                    AddLine(new BasketLine(_catalog.ItemIds[_items[label.Item]], label.NetKg, label.PricePerKg), label.Item);
                }
            }
        }
        var result = _lineBuffer.ToArray();
        return new BasketEvent
        {
            Id = NextId('B', ref _basketSeq),
            StoreId = _storeId,
            Ts = ts,
            LaneId = laneId,
            Channel = channel,
            CustomerId = customerId,
            Lines = result,
            Tender = tender,
        };
    }

    /// <summary>Adds a line and moves stock by it (a sale leaves, a return comes back).</summary>
    private void AddLine(BasketLine line, int assortmentIndex)
    {
        _lineBuffer.Add(line);
        _position[assortmentIndex] += ChangeTypes.StockEffectOfBasketLine(line.Qty);
    }

    private BasketLine PieceLine()
    {
        var piece = _pieces[_pieceTable.Sample(_random)];
        var q = _random.NextDouble();
        var qty = q < 0.78 ? 1m : q < 0.91 ? 2m : q < 0.95 ? 3m : q < 0.97 ? 4m : 6m;
        var price = piece.Price;
        var discount = 0m;
        var p = _random.NextDouble();
        if (p < MarkdownShare)
        {
            discount = Money.Round2(qty * price * Discounts[_random.Next(Discounts.Length)]);
        }
        else if (p < MarkdownShare + PriceOverrideShare)
        {
            // a stale shelf price keyed in at the till: the gateway's price-mismatch alert catches it
            var cents = (int)Math.Max(1, Math.Round((double)price * 100 * (0.85 + 0.3 * _random.NextDouble())));
            price = new decimal(cents, 0, 0, false, 2);
        }
        _position[piece.Assortment] += ChangeTypes.StockEffectOfBasketLine(qty);
        return new BasketLine(piece.ItemId, qty, price, discount);
    }

    private int BasketSize()
    {
        int lines;
        if (_random.Chance(SmallTripShare))
        {
            lines = 1 + (int)_random.NextExponential(SmallTripMeanExtraLines);
        }
        else
        {
            lines = (int)Math.Round(Math.Exp(_bigTripMu + 0.5 * _random.NextNormal()));
        }
        return Math.Clamp(lines, 1, MaxBasketLines);
    }

    private string Customer()
    {
        var k = _customerTable.Sample(_random);
        return _customers[k] ??= string.Create(CultureInfo.InvariantCulture, $"C{_storePrefix}-{k + 1:D5}");
    }

    private WeighingEvent Weighing(DateTimeOffset ts, long localTicks)
    {
        var a = _weighedMap[_weighedTable!.Sample(_random)];
        var c = _items[a];
        var grams = (int)Math.Clamp(Math.Round(1000 * SimulationCatalog.MeanNetKg * Math.Exp(0.6 * _random.NextNormal() - 0.18)), 50, 4000);
        var netKg = new decimal(grams, 0, 0, false, 3);
        decimal? tare = null;
        if (_random.Chance(TareAnomalyShare))
        {
            // a badly zeroed scale: negative tare or a tare above the net weight
            tare = _random.Chance(0.5)
                ? -new decimal(_random.Next(5, 50), 0, 0, false, 3)
                : new decimal(grams + _random.Next(10, 100), 0, 0, false, 3);
        }
        else if (_random.Chance(TareShare))
        {
            tare = new decimal(_random.Next(5, 31), 0, 0, false, 3);
        }
        var printed = _random.Chance(LabelPrintedShare);
        var price = _catalog.Prices[c];
        if (printed)
        {
            var ready = localTicks + _random.Next(2 * 60_000, 30 * 60_000) * TimeSpan.TicksPerMillisecond;
            _labels.Enqueue(new Label(a, netKg, price), ready);
        }
        return new WeighingEvent
        {
            Id = NextId('W', ref _weighingSeq),
            StoreId = _storeId,
            Ts = ts,
            ScaleId = _scales[_random.Next(_scales.Length)],
            ItemId = _catalog.ItemIds[c],
            NetKg = netKg,
            PricePerKg = price,
            TareKg = tare,
            LabelPrinted = printed,
        };
    }

    /// <summary>
    /// A delivery restocks the most urgent items (lowest cover above safety stock) that are below
    /// their reorder point, up to the order-up-to level in whole cases.
    /// </summary>
    private InventoryChangeEvent? Delivery(DateTimeOffset ts, int delivery)
    {
        var perDelivery = _profile.RestockLinesPerDay / _profile.Deliveries;
        var limit = delivery == _profile.Deliveries - 1 ? _profile.RestockLinesPerDay - perDelivery * (_profile.Deliveries - 1) : perDelivery;
        var n = _items.Length;
        if (_urgency.Length < n)
        {
            _urgency = new double[n];
            _urgencyIndex = new int[n];
        }
        var m = 0;
        for (var a = 0; a < n; a++)
        {
            if (_position[a] < _reorderPoint[a])
            {
                var demand = Math.Max(0.01, _catalog.DailyDemand[_items[a]]);
                _urgency[m] = ((double)(_position[a] - _catalog.SafetyStock[_items[a]]) / demand) + a * 1e-9;
                _urgencyIndex[m] = a;
                m++;
            }
        }
        if (m == 0)
        {
            return null;
        }
        Array.Sort(_urgency, _urgencyIndex, 0, m);
        var take = Math.Min(limit, m);
        // the delivery note lists items in item order
        for (var k = 0; k < take; k++)
        {
            _urgency[k] = _items[_urgencyIndex[k]];
        }
        Array.Sort(_urgency, _urgencyIndex, 0, take);
        _changeBuffer.Clear();
        for (var k = 0; k < take; k++)
        {
            var a = _urgencyIndex[k];
            var c = _items[a];
            var need = _orderUpTo[a] - _position[a];
            decimal caseSize = _catalog.Weighed[c] ? 5m : _catalog.DailyDemand[c] > 20 ? 24m : _catalog.DailyDemand[c] > 3 ? 12m : 6m;
            var qty = Math.Ceiling(need / caseSize) * caseSize;
            _position[a] += qty;
            _changeBuffer.Add(new InventoryLine(_catalog.ItemIds[c], qty));
        }
        return new InventoryChangeEvent
        {
            Id = NextId('C', ref _changeSeq),
            StoreId = _storeId,
            Ts = ts,
            ChangeType = ChangeTypes.Restock,
            Lines = [.. _changeBuffer],
            Reason = string.Create(CultureInfo.InvariantCulture, $"delivery {_dateText}-{delivery + 1}"),
        };
    }

    private InventoryChangeEvent Shrink(DateTimeOffset ts)
    {
        var lines = _random.Next(1, 6);
        var weighed = _weighedTable is not null && _random.Chance(0.25);
        _changeBuffer.Clear();
        for (var i = 0; i < lines; i++)
        {
            var a = weighed ? _weighedMap[_weighedTable!.Sample(_random)] : _pieceMap[_pieceTable.Sample(_random)];
            if (ContainsItem(_catalog.ItemIds[_items[a]]))
            {
                continue;
            }
            var qty = weighed ? -new decimal(_random.Next(200, 3001), 0, 0, false, 3) : -(decimal)_random.Next(1, 4);
            _position[a] += ChangeTypes.StockEffectOfChangeLine(ChangeTypes.Shrink, qty);
            _changeBuffer.Add(new InventoryLine(_catalog.ItemIds[_items[a]], qty));
        }
        return new InventoryChangeEvent
        {
            Id = NextId('C', ref _changeSeq),
            StoreId = _storeId,
            Ts = ts,
            ChangeType = ChangeTypes.Shrink,
            Lines = [.. _changeBuffer],
            Reason = weighed ? "spoiled" : ShrinkReasons[_random.Next(ShrinkReasons.Length)],
        };
    }

    private InventoryChangeEvent Adjustment(DateTimeOffset ts)
    {
        var lines = _random.Next(1, 4);
        _changeBuffer.Clear();
        for (var i = 0; i < lines; i++)
        {
            var a = _pieceMap[_pieceTable.Sample(_random)];
            if (ContainsItem(_catalog.ItemIds[_items[a]]))
            {
                continue;
            }
            var qty = (decimal)(_random.Next(1, 4) * (_random.Chance(0.5) ? 1 : -1));
            _position[a] += ChangeTypes.StockEffectOfChangeLine(ChangeTypes.Adjustment, qty);
            _changeBuffer.Add(new InventoryLine(_catalog.ItemIds[_items[a]], qty));
        }
        return new InventoryChangeEvent
        {
            Id = NextId('C', ref _changeSeq),
            StoreId = _storeId,
            Ts = ts,
            ChangeType = ChangeTypes.Adjustment,
            Lines = [.. _changeBuffer],
            Reason = AdjustmentReasons[_random.Next(AdjustmentReasons.Length)],
        };
    }

    private InventorySnapshotEvent CycleCount(DateTimeOffset ts)
    {
        _changeBuffer.Clear();
        for (var i = 0; i < _profile.CycleCountItems; i++)
        {
            var a = _pieceMap[_pieceTable.Sample(_random)];
            if (ContainsItem(_catalog.ItemIds[_items[a]]))
            {
                continue;
            }
            _changeBuffer.Add(Count(a));
        }
        return new InventorySnapshotEvent
        {
            Id = NextId('S', ref _countSeq),
            StoreId = _storeId,
            Ts = ts,
            EmployeeId = _employees[_random.Next(_employees.Length)],
            Counts = [.. _changeBuffer],
        };
    }

    private InventorySnapshotEvent FullCountChunk(DateTimeOffset ts, int chunk)
    {
        var from = chunk * _profile.CountChunkSize;
        var to = Math.Min(_items.Length, from + _profile.CountChunkSize);
        var counts = new InventoryLine[to - from];
        for (var k = from; k < to; k++)
        {
            counts[k - from] = Count(_countOrder[k]);
        }
        return new InventorySnapshotEvent
        {
            Id = NextId('S', ref _countSeq),
            StoreId = _storeId,
            Ts = ts,
            EmployeeId = _employees[chunk % _employees.Length],
            Counts = counts,
        };
    }

    /// <summary>
    /// Counts an item: the book position, never below zero, now and then a little less (loss nobody
    /// recorded). The count becomes the new position: that is what a count means.
    /// </summary>
    private InventoryLine Count(int a)
    {
        var c = _items[a];
        var qty = Math.Max(0m, _catalog.Weighed[c] ? Math.Round(_position[a], 3) : Math.Round(_position[a]));
        if (_random.Chance(CountNoiseShare))
        {
            qty = Math.Max(0m, qty - _random.Next(1, 4));
        }
        _position[a] = qty;
        return new InventoryLine(_catalog.ItemIds[c], qty);
    }

    private bool ContainsItem(long itemId)
    {
        foreach (var line in _changeBuffer)
        {
            if (line.ItemId == itemId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Starting stock sits somewhere in each item's replenishment cycle. Cover per order is set so
    /// that the deliveries' line budget matches what the assortment needs on average: fast movers
    /// come often in small covers, slow movers rarely in long ones.
    /// </summary>
    private void InitialiseStock()
    {
        var n = _items.Length;
        var meanDemand = 0.0;
        foreach (var c in _items)
        {
            meanDemand += _catalog.DailyDemand[c];
        }
        meanDemand /= n;
        var factors = new double[n];
        var inverseSum = 0.0;
        for (var a = 0; a < n; a++)
        {
            factors[a] = Math.Clamp(Math.Sqrt(meanDemand / Math.Max(0.01, _catalog.DailyDemand[_items[a]])), 0.25, 8);
            inverseSum += 1 / factors[a];
        }
        var baseCover = inverseSum / Math.Max(1, _profile.RestockLinesPerDay);
        for (var a = 0; a < n; a++)
        {
            var c = _items[a];
            var demand = _catalog.DailyDemand[c];
            var cover = baseCover * factors[a];
            var safety = (double)_catalog.SafetyStock[c];
            var reorder = safety + 2 * demand;
            var upTo = reorder + cover * demand;
            // a day's sales since the last delivery are not yet replenished, so the first
            // delivery already has a day's worth of items below their reorder point
            var start = Math.Max(0, reorder - demand + _random.NextDouble() * (upTo - reorder));
            if (_catalog.Weighed[c])
            {
                _reorderPoint[a] = (decimal)Math.Round(reorder, 1);
                _orderUpTo[a] = (decimal)Math.Round(upTo, 1);
                _position[a] = (decimal)Math.Round(start, 1);
            }
            else
            {
                _reorderPoint[a] = (decimal)Math.Ceiling(reorder);
                _orderUpTo[a] = (decimal)Math.Ceiling(upTo);
                _position[a] = (decimal)Math.Ceiling(start);
            }
        }
    }

    private string NextId(char kind, ref int seq)
    {
        seq++;
        return string.Create(CultureInfo.InvariantCulture, $"{_storePrefix}-{_dateText}-{kind}{seq:D6}");
    }

    private enum HappeningKind : byte
    {
        FullCountChunk,
        Delivery,
        Basket,
        Weighing,
        Shrink,
        Adjustment,
        CycleCount,
    }

    private readonly record struct Happening(long LocalTicks, HappeningKind Kind, int Arg, int Order);

    private readonly record struct Label(int Item, decimal NetKg, decimal PricePerKg);

    /// <summary>What a basket line needs of an item sold by the piece, in one place.</summary>
    private readonly record struct PieceItem(long ItemId, decimal Price, int Assortment);

    private sealed class HappeningComparer : IComparer<Happening>
    {
        public static readonly HappeningComparer Instance = new();

        public int Compare(Happening x, Happening y)
        {
            var byTime = x.LocalTicks.CompareTo(y.LocalTicks);
            return byTime != 0 ? byTime : x.Order.CompareTo(y.Order);
        }
    }
}
