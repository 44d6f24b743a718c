package io.valentia.eventbus;

/**
 * The root of Valentia's exceptions. Subtypes say what the caller can do: {@link
 * RetriableException} may succeed when tried again, anything else will not.
 */
public class ValentiaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ValentiaException(String message) {
    super(message);
  }

  public ValentiaException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failure that may pass when the same operation is tried again (a broker not yet up). */
  public static class RetriableException extends ValentiaException {
    private static final long serialVersionUID = 1L;

    public RetriableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
