using RetailEdge.Lakehouse;

namespace RetailEdge.EventHubsSource.Tests;

/// <summary>
/// The device messages of a <see cref="Lakehouse.Tests.LakeScenario"/> as an event hub would hold them:
/// each device's messages on one partition (as IoT Hub partitions by device), in enqueued order,
/// numbered per partition from 0 with the service's offsets.
/// </summary>
internal static class StreamedScenario
{
    public static IReadOnlyDictionary<string, List<StreamedEvent>> FromRoutedFiles(string source, int partitions)
    {
        var records = new List<RoutedRecord>();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            records.AddRange(RoutedRecordParser.Parse(stream));
        }
        var byPartition = new SortedDictionary<string, List<StreamedEvent>>(StringComparer.Ordinal);
        foreach (var record in records.OrderBy(r => r.EnqueuedTime).ThenBy(r => r.MessageId, StringComparer.Ordinal))
        {
            var partition = (record.DeviceId!.Sum(c => c) % partitions).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!byPartition.TryGetValue(partition, out var list))
            {
                byPartition[partition] = list = [];
            }
            long sequence = list.Count;
            list.Add(new StreamedEvent(partition, sequence, (sequence * 512).ToString(System.Globalization.CultureInfo.InvariantCulture), record.EnqueuedTime!.Value,
                record.DeviceId, record.ModuleId, record.MessageId, record.ContentType, record.ContentEncoding, record.Properties ?? "{}", record.Body));
        }
        return byPartition;
    }
}
