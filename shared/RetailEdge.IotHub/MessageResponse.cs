namespace RetailEdge.IotHub;

/// <summary>What an input handler did with a message; decides whether it is acknowledged.</summary>
public enum MessageResponse
{
    /// <summary>Handled (durably): acknowledge (PUBACK) so edgeHub removes it.</summary>
    Completed = 0,

    /// <summary>Not handled: no acknowledgement, edgeHub redelivers it after the next reconnect.</summary>
    Abandoned = 1,
}
